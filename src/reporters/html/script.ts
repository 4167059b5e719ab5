// The page's only script: filter the check table by status. No network.
// Kept free of "<" so the markup redaction pass splits the page cleanly.
export const SCRIPT = `
(function () {
  var buttons = document.querySelectorAll('.filters button');
  var rows = document.querySelectorAll('#checks tbody tr');
  buttons.forEach(function (b) {
    b.addEventListener('click', function () {
      var want = b.getAttribute('data-filter');
      buttons.forEach(function (x) { x.setAttribute('aria-pressed', String(x === b)); });
      rows.forEach(function (r) {
        var show = want === 'all' || (want === 'problems' ? r.getAttribute('data-problem') === 'true' : r.getAttribute('data-status') === want);
        r.hidden = !show;
      });
    });
  });
})();
`;
