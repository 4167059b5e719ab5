-- The forum's database, after PostGraphile's own tutorial ("PostgreSQL Schema
-- Design"): people, their private accounts with pgcrypto password hashes, a
-- JWT composite type, an `authenticate` mutation, and database roles that
-- PostgreSQL itself enforces for every GraphQL request.
--
--   forum_postgraphile  the role PostGraphile connects as (the authenticator);
--                       it switches to the role named in each request's JWT
--   forum_anonymous     no JWT: read people and announcements, sign in
--   forum_person        a signed-in person: also edit their own name
--   forum_admin         a signed-in admin: a person who also posts and
--                       removes announcements
--
-- Run as a superuser on an empty database; the authenticator's password is
-- set afterwards (ALTER ROLE forum_postgraphile PASSWORD …), never here.

create extension if not exists pgcrypto;

create schema forum;
create schema forum_private;

create table forum.person (
  id         serial primary key,
  first_name text not null check (char_length(first_name) < 80),
  last_name  text check (char_length(last_name) < 80),
  created_at timestamptz not null default now()
);
comment on table forum.person is 'A user of the forum.';

create table forum.announcement (
  id         serial primary key,
  body       text not null check (char_length(body) < 2000),
  created_at timestamptz not null default now()
);
comment on table forum.announcement is 'A notice shown to everyone; only admins post or remove one.';

create table forum_private.person_account (
  person_id     integer primary key references forum.person(id) on delete cascade,
  email         text not null unique check (email ~* '^.+@.+\..+$'),
  password_hash text not null,
  role          text not null default 'forum_person' check (role in ('forum_person', 'forum_admin'))
);

create type forum.jwt_token as (
  role      text,
  person_id integer,
  exp       bigint
);

-- Wrong email or password is an error with words a person can read (not a null token).
create function forum.authenticate(email text, password text) returns forum.jwt_token as $$
declare
  account forum_private.person_account;
begin
  select a.* into account from forum_private.person_account as a where a.email = authenticate.email;
  if account.password_hash is not null and account.password_hash = crypt(password, account.password_hash) then
    return (account.role, account.person_id, extract(epoch from now() + interval '1 hour'))::forum.jwt_token;
  end if;
  raise exception 'Incorrect email or password' using errcode = '28P01';
end;
$$ language plpgsql strict security definer;
comment on function forum.authenticate(text, text) is 'Signs a person in: a JWT for their role.';

create function forum.current_person() returns forum.person as $$
  select * from forum.person where id = nullif(current_setting('jwt.claims.person_id', true), '')::integer
$$ language sql stable;
comment on function forum.current_person() is 'The person who sent the request (from the JWT).';

-- Register an account (used by whoever seeds the forum, as a superuser).
create function forum_private.register(first_name text, last_name text, email text, password text, role text default 'forum_person') returns forum.person as $$
declare
  p forum.person;
begin
  insert into forum.person (first_name, last_name) values (first_name, last_name) returning * into p;
  insert into forum_private.person_account (person_id, email, password_hash, role) values (p.id, email, crypt(password, gen_salt('bf')), role);
  return p;
end;
$$ language plpgsql strict;

-- Roles.
create role forum_postgraphile login;
create role forum_anonymous;
create role forum_person;
create role forum_admin;
grant forum_anonymous, forum_person, forum_admin to forum_postgraphile;

alter default privileges revoke execute on functions from public;
revoke execute on all functions in schema forum, forum_private from public;

grant usage on schema forum to forum_anonymous, forum_person, forum_admin;
grant select on forum.person, forum.announcement to forum_anonymous, forum_person, forum_admin;
grant update (first_name, last_name) on forum.person to forum_person, forum_admin;
grant insert, update, delete on forum.announcement to forum_admin;
grant usage on sequence forum.announcement_id_seq to forum_admin;
grant execute on function forum.authenticate(text, text) to forum_anonymous, forum_person, forum_admin;
grant execute on function forum.current_person() to forum_anonymous, forum_person, forum_admin;

-- A person edits only their own name.
alter table forum.person enable row level security;
create policy select_person on forum.person for select using (true);
create policy update_person on forum.person for update to forum_person, forum_admin
  using (id = nullif(current_setting('jwt.claims.person_id', true), '')::integer);

insert into forum.announcement (body) values ('Welcome to the forum.');
