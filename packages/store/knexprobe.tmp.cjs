const k = require('knex');
const mode = process.argv[2] || 'knex';
(async () => {
  if (mode === 'sqlite3') {
    const sqlite3 = require('sqlite3');
    const db = new sqlite3.Database('/tmp/probe/t.db');
    await new Promise((r) => db.get('select 1', r));
  } else if (mode === 'require') {
    require('sqlite3');
  } else if (mode === 'knex') {
    const db = k({ client: 'sqlite3', connection: { filename: '/tmp/probe/t.db' }, useNullAsDefault: true });
    await db.raw('select 1');
  }
  setTimeout(() => {
    const fs = require('fs');
    const s = fs.readFileSync('/proc/self/status', 'utf8');
    const smaps = fs.readFileSync('/proc/self/smaps', 'utf8').split('\n');
    const by = {}; let cur = '';
    for (const line of smaps) {
      const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
      if (m) { cur = m[1] || '[anon]'; continue; }
      const r = /^Rss:\s+(\d+)/.exec(line);
      if (r) by[cur] = (by[cur] || 0) + +r[1];
    }
    const top = Object.entries(by).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([n, v]) => `${n.split('/').pop()} ${(v / 1024).toFixed(1)}`);
    console.log(mode, 'rss', (+s.match(/VmRSS:\s+(\d+)/)[1] / 1024).toFixed(1), '|', top.join(', '));
  }, 1500);
})();
