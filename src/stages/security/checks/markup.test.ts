import { describe, expect, it } from 'vitest';
import { debugSignature } from './answer-watch.ts';
import { listedEntries, listingKind } from './listing.ts';

// Listing and debug-page markup of servers and frameworks that cannot run
// here (IIS, Rails, Laravel, ASP.NET, Spring Boot) or whose markup is worth
// pinning beside the real-server tests (serve, http-server). Each sample is
// written from the product's own template or documented output, cut to the
// parts the matchers read; the healthy twins must raise nothing.

describe('directory listings by their markup', () => {
  // IIS "Directory Browsing" (documented format of the static file handler: host - path as title and <H1>, a <pre> of
  // date, time, size and link lines; "[To Parent Directory]" below the root). Written from that format: IIS cannot run here.
  const iis = (folder: string, parent: boolean): string =>
    `<html><head><title>shop.example - ${folder}</title></head><body><H1>shop.example - ${folder}</H1><hr>\r\n\r\n<pre>${parent ? '<A HREF="/">[To Parent Directory]</A><br><br>' : ''}` +
    ` 12/1/2026  3:04 AM        20480 <A HREF="${folder}shop-2026-12-01.sql.gz">shop-2026-12-01.sql.gz</A><br>` +
    ` 12/1/2026  3:04 AM        &lt;dir&gt; <A HREF="${folder}old/">old</A><br></pre><hr></body></html>`;

  it('IIS directory browsing, in a folder and at the web root (no parent link there)', () => {
    expect(listingKind(iis('/backup/', true), '/backup/')).toBe('IIS');
    expect(listingKind(iis('/', false), '/')).toBe('IIS');
    expect(listedEntries(iis('/backup/', true), 'http://h/backup/')).toEqual(['shop-2026-12-01.sql.gz', 'old/']);
  });

  // serve (Vercel's serve-handler, src/directory.jst): "Files within <served folder>/<path>/", then a long style sheet, then <ul id="files">.
  const serve = `<!DOCTYPE html>\n<html lang="en">\n  <head>\n    <meta charset="utf-8">\n\n    <title>Files within public/backup/</title>\n\n    <style>${'\t\tbody { margin: 0; }\n'.repeat(200)}</style>\n  </head>\n  <body>\n    <main>\n      <header>\n        <h1>\n          <i>Index of&nbsp;</i>\n            <a href="/public/">public</a>\n            <a href="/public/backup/">backup</a>\n        </h1>\n      </header>\n      <ul id="files">\n          <li>\n            <a href="/backup/shop.sql.gz" title="shop.sql.gz" class="file gz">shop.sql.gz</a>\n          </li>\n      </ul>\n\t</main>\n  </body>\n</html>\n`;
  // http-server (lib/core/show-dir): "Index of <path>", its style sheet with the icons inlined, then <h1> and a <table>.
  const httpServer = `<!doctype html>\n<html>\n  <head>\n    <meta charset="utf-8">\n    <meta name="viewport" content="width=device-width">\n    <title>Index of /backup/</title>\n    <style type="text/css">i.icon { display: block; height: 16px; width: 16px; background: no-repeat center; }\n${'i.icon-_page { background-image: url("data:image/png;base64,iVBORw0KGgo"); }\n'.repeat(400)}</style>\n  </head>\n  <body>\n<h1>Index of /backup/</h1>\n<table><tr><td><i class="icon icon-_page"></i></td><td class="display-name"><a href="./shop.sql.gz">shop.sql.gz</a></td></tr>\n</table>\n<br><address>Node.js v20.18.0/ <a href="https://github.com/http-party/http-server">http-server</a> server running @ 127.0.0.1:8080</address>\n</body></html>`;

  it("serve's and http-server's listings (Node's static servers)", () => {
    expect(listingKind(serve, '/backup/')).toBe('Node serve');
    expect(listingKind(httpServer, '/backup/')).toBe('Node http-server');
    expect(listedEntries(httpServer, 'http://h/backup/')).toEqual(['shop.sql.gz']);
  });

  it('a page that merely talks about "Index of" and "Files within" is no listing', () => {
    const page = '<html><head><title>Our backup policy</title></head><body><h1>Index of /backup/</h1><p>Files within public/backup/ are kept 7 days.</p><ul id="files"></ul><pre>[To Parent Directory]</pre></body></html>';
    expect(listingKind(page, '/backup/')).toBeUndefined();
    // Another folder's listing does not count for this one.
    expect(listingKind(httpServer, '/db/')).toBeUndefined();
  });
});

describe('debug pages of the common frameworks', () => {
  // Rails (actionpack's rescues/layout.erb and diagnostics, development mode).
  const rails = '<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta charset="utf-8" />\n  <title>Action Controller: Exception caught</title>\n</head>\n<body>\n<header>\n  <h1>NoMethodError in OrdersController#index</h1>\n</header>\n<main role="main" id="container">\n  <h2 style="margin-top: 30px">Rails.root: /srv/shop</h2>\n</main></body></html>';
  // Rails production: public/404.html of a new app.
  const rails404 = '<!DOCTYPE html>\n<html>\n<head>\n  <title>The page you were looking for doesn\'t exist (404)</title>\n</head>\n<body class="rails-default-error-page">\n  <div class="dialog">\n    <div>\n      <h1>The page you were looking for doesn\'t exist.</h1>\n      <p>You may have mistyped the address or the page may have moved.</p>\n    </div>\n    <p>If you are the application owner check the logs for more information.</p>\n  </div>\n</body>\n</html>\n';
  // Laravel ≤ 5 (filp/whoops' PrettyPageHandler template).
  const whoops = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Whoops! There was an error.</title></head><body><div class="Whoops container"><div class="stack-container"><div class="frames-container">…</div></div></div></body></html>';
  // Laravel ≥ 6 (spatie/ignition's errorPage.php): the exception as a comment right after <html class="theme-…">.
  const ignition = `<!doctype html>\n<html class="theme-auto">\n<!--\nErrorException: Undefined variable $order in file /srv/shop/app/Http/Controllers/OrderController.php on line 12\n\n-->\n<head>\n    <title>Undefined variable $order</title>\n</head>\n<body class="scrollbar-lg">\n<script>\n    window.data = {"report":{}};\n</script>\n<div id="app"></div>\n<script>${'/* ignition.js */'.repeat(9000)}</script></body></html>`;
  // Laravel production: its 500 view.
  const laravel500 = '<!DOCTYPE html><html lang="en"><head><title>Server Error</title></head><body><div class="flex-center"><div class="code">500</div><div class="message">Server Error</div></div></body></html>';
  // ASP.NET (System.Web) yellow screen of death with details, and the generic page custom errors show remote users.
  const ysod = '<html><head><title>Object reference not set to an instance of an object.</title></head><body bgcolor="white"><span><H1>Server Error in \'/\' Application.<hr width=100% size=1 color=silver></H1><h2> <i>Object reference not set to an instance of an object.</i> </h2></span><font face="Arial, Helvetica, Geneva, SunSans-Regular, sans-serif "><b> Description: </b>An unhandled exception occurred during the execution of the current web request.<br><br><b> Exception Details: </b>System.NullReferenceException: Object reference not set to an instance of an object.<br><br><b>Stack Trace:</b> <br><br><table width=100% bgcolor="#ffffcc"><tr><td><code><pre>\n[NullReferenceException: Object reference not set to an instance of an object.]\n   Shop._Default.Page_Load(Object sender, EventArgs e) +42\n</pre></code></td></tr></table></font></body></html>';
  const aspnetGeneric = '<html><head><title>Runtime Error</title></head><body bgcolor="white"><span><H1>Server Error in \'/\' Application.<hr width=100% size=1 color=silver></H1><h2> <i>Runtime Error</i> </h2></span><font face="Arial, Helvetica, Geneva, SunSans-Regular, sans-serif "><b> Description: </b>An application error occurred on the server. The current custom error settings for this application prevent the details of the application error from being viewed remotely (for security reasons).<br><br><b>Details:</b> To enable the details of this specific error message to be viewable on remote machines, please create a &lt;customErrors&gt; tag within a &quot;web.config&quot; configuration file.<br><br></font></body></html>';
  // ASP.NET Core: the developer exception page, and the template's production Error view.
  const devException = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8" /><title>Internal Server Error</title></head><body><h1>An unhandled exception occurred while processing the request.</h1><div class="titleerror">InvalidOperationException: boom</div></body></html>';
  const coreError = '<!DOCTYPE html><html><head><title>Error - Shop</title></head><body><h1 class="text-danger">Error.</h1><h2 class="text-danger">An error occurred while processing your request.</h2><h3>Development Mode</h3><p>Swapping to <strong>Development</strong> environment will display more detailed information about the error that occurred.</p></body></html>';
  // Spring Boot's Whitelabel page (ErrorMvcAutoConfiguration's StaticView) with server.error.include-stacktrace=always, and without.
  const whitelabel = (trace: boolean): string =>
    `<html><body><h1>Whitelabel Error Page</h1><p>This application has no explicit mapping for /error, so you are seeing this as a fallback.</p><div id='created'>Mon Dec 07 22:00:00 UTC 2026</div><div>There was an unexpected error (type=Internal Server Error, status=500).</div><div>boom</div>${trace ? "<div style='white-space:pre-wrap;'>java.lang.IllegalStateException: boom\n\tat com.example.shop.OrderController.list(OrderController.java:27)\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)\n</div>" : ''}</body></html>`;

  it.each([
    ['Rails', rails, 'the Rails debug page'],
    ['Laravel Whoops', whoops, "Laravel's Whoops/Ignition page"],
    ['Laravel Ignition', ignition, "Laravel's Whoops/Ignition page"],
    ['ASP.NET YSOD', ysod, 'the ASP.NET error page with a stack trace (YSOD)'],
    ['ASP.NET Core developer exception page', devException, 'the ASP.NET error page with a stack trace (YSOD)'],
    ['Spring Whitelabel with a trace', whitelabel(true), "Spring Boot's Whitelabel error page with a stack trace"],
  ])('%s is recognised (critical)', (_name, body, what) => {
    expect(debugSignature(body)).toMatchObject({ what, severity: 'critical' });
  });

  it.each([
    ['Rails production 404', rails404],
    ['Laravel production 500', laravel500],
    ['ASP.NET generic runtime error (custom errors on)', aspnetGeneric],
    ['ASP.NET Core production Error view', coreError],
    ['Spring Whitelabel without a trace', whitelabel(false)],
  ])('%s raises nothing', (_name, body) => {
    expect(debugSignature(body)).toBeUndefined();
  });
});
