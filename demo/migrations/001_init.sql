create table users (
  id serial primary key,
  email text not null unique,
  role text not null check (role in ('viewer', 'editor', 'admin')),
  password_hash text not null,
  created_at timestamptz not null default now()
);

create table projects (
  id serial primary key,
  title text not null check (length(title) between 1 and 200),
  owner_id integer not null references users(id),
  created_at timestamptz not null default now()
);
create index projects_owner_idx on projects(owner_id);

create table scripts (
  id serial primary key,
  project_id integer not null references projects(id) on delete cascade,
  filename text,
  content text not null,
  bytes integer not null,
  created_at timestamptz not null default now()
);
create index scripts_project_idx on scripts(project_id);

create table render_jobs (
  id serial primary key,
  project_id integer not null references projects(id) on delete cascade,
  kind text not null,
  status text not null check (status in ('queued', 'running', 'done', 'failed')),
  progress integer not null default 0 check (progress between 0 and 100),
  result jsonb,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);
create index render_jobs_status_idx on render_jobs(status);

create table user_settings (
  user_id integer primary key references users(id) on delete cascade,
  settings jsonb not null default '{}'::jsonb,
  updated_at timestamptz not null default now()
);
