/* global document, fetch, FormData */
// Project page behaviour: script upload and storyboard render progress.
// Loaded on every page; does nothing where its elements are absent.
'use strict';

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

function showRender(job) {
  const panel = $('render-panel');
  if (!panel) return;
  panel.hidden = false;
  $('render-progress').value = job.progress;
  $('render-percent').textContent = `${job.progress}%`;
  $('render-status').textContent = job.status;
  const link = $('render-result-link');
  if (job.status === 'done' && job.resultUrl) {
    link.href = job.resultUrl;
    link.hidden = false;
  } else {
    link.hidden = true;
  }
}

async function poll(id) {
  try {
    const res = await fetch(`/api/renders/${id}`, { credentials: 'same-origin' });
    if (res.ok) {
      const job = await res.json();
      showRender(job);
      if (job.status === 'done' || job.status === 'failed') return;
    }
  } catch {
    // Network hiccup: keep polling.
  }
  setTimeout(() => void poll(id), 300);
}

function setupProjectPage(main) {
  const projectId = main.dataset.projectId;
  const upload = $('script-upload-button');
  if (upload) {
    upload.addEventListener('click', async () => {
      const input = $('script-upload');
      const status = $('script-status');
      const file = input.files && input.files[0];
      if (!file) {
        status.textContent = 'Choose a script file first.';
        return;
      }
      const form = new FormData();
      form.append('script', file, file.name);
      upload.disabled = true;
      try {
        const res = await fetch(`/api/projects/${projectId}/script`, { method: 'POST', body: form, credentials: 'same-origin' });
        const body = await res.json();
        status.textContent = res.ok ? `Uploaded ${file.name} (${body.bytes} bytes)` : `Upload failed: ${body.error}`;
        status.dataset.state = res.ok ? 'uploaded' : 'error';
      } finally {
        upload.disabled = false;
      }
    });
  }
  const render = $('render-button');
  if (render) {
    render.addEventListener('click', async () => {
      render.disabled = true;
      try {
        const res = await fetch(`/api/projects/${projectId}/renders`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ kind: 'storyboard' }),
        });
        const job = await res.json();
        if (!res.ok) {
          $('render-panel').hidden = false;
          $('render-status').textContent = `error: ${job.error}`;
          return;
        }
        showRender(job);
        void poll(job.id);
      } finally {
        render.disabled = false;
      }
    });
  }
  if (main.dataset.renderId) void poll(main.dataset.renderId);
}

const main = document.querySelector('main[data-testid="page-project"]');
if (main) setupProjectPage(main);
