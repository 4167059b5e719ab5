-- The render worker and the project page look jobs up by project.
create index if not exists render_jobs_project_idx on render_jobs(project_id);
