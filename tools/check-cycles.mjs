#!/usr/bin/env node
// No import cycles in packages/*/src, type-only imports included (a cycle of types is still
// a tangle to a reader). Part of `npm run lint`; faster than a type-aware lint rule: it
// reads each file's import list with TypeScript's pre-processor (no type checking).
//   node tools/check-cycles.mjs            exit 1 and print each cycle found
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = join(root, 'packages');

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** `@carrier/<name>[/<sub>]` to the source file its `carrier-src` export points at. */
function resolvePackage(spec) {
  const m = /^@carrier\/([^/]+)(?:\/(.+))?$/.exec(spec);
  if (!m) return undefined;
  const pkgJson = join(packagesDir, m[1], 'package.json');
  if (!existsSync(pkgJson)) return undefined;
  const exportsMap = JSON.parse(readFileSync(pkgJson, 'utf8')).exports ?? {};
  const entry = exportsMap[m[2] ? `./${m[2]}` : '.'];
  const target = typeof entry === 'string' ? entry : entry?.['carrier-src'];
  return target ? resolve(packagesDir, m[1], target) : undefined;
}

function resolveRelative(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const c of [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, join(base, 'index.ts'), base]) {
    if (c.endsWith('.ts') && existsSync(c) && statSync(c).isFile()) return c;
  }
  return undefined;
}

export function importGraph() {
  const files = [];
  for (const pkg of readdirSync(packagesDir)) {
    const src = join(packagesDir, pkg, 'src');
    if (existsSync(src)) walk(src, files);
  }
  const graph = new Map();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = new Set();
    for (const { fileName } of info.importedFiles) {
      const target = fileName.startsWith('.') ? resolveRelative(file, fileName) : resolvePackage(fileName);
      if (target && !target.endsWith('.test.ts')) deps.add(target);
    }
    graph.set(file, [...deps]);
  }
  return graph;
}

/** Tarjan's strongly connected components: every component of two or more files is a cycle. */
export function cycles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const strong = (v) => {
    // iterative, so a long import chain cannot overflow the call stack
    const work = [[v, 0]];
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [node, i] = frame;
      const deps = graph.get(node) ?? [];
      if (i < deps.length) {
        frame[1] += 1;
        const w = deps[i];
        if (!graph.has(w)) continue;
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(node, Math.min(low.get(node), idx.get(w)));
        if (w === node) found.push([node]);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(node)));
      }
      if (low.get(node) === idx.get(node)) {
        const comp = [];
        let w;
        do {
          w = stack.pop();
          onStack.delete(w);
          comp.push(w);
        } while (w !== node);
        if (comp.length > 1) found.push(comp);
      }
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return found;
}

/** One concrete loop through a component, for the message: a -> b -> ... -> a. */
function exampleLoop(graph, comp) {
  const inComp = new Set(comp);
  const start = comp.slice().sort()[0];
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (w === start) {
        const path = [start];
        for (let x = v; x !== start; x = prev.get(x)) path.splice(1, 0, x);
        return [...path, start];
      }
      if (inComp.has(w) && !prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return comp;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const graph = importGraph();
  const found = cycles(graph);
  if (found.length === 0) {
    console.log(`check-cycles: no import cycle in ${graph.size} source files`);
  } else {
    const rel = (f) => relative(root, f);
    for (const comp of found) {
      console.error(`import cycle among ${comp.length} file(s):\n  ${comp.map(rel).sort().join('\n  ')}`);
      console.error(`  e.g. ${exampleLoop(graph, comp).map(rel).join(' -> ')}\n`);
    }
    console.error(`check-cycles: ${found.length} import cycle(s); break them (a leaf module for shared types, or a small port)`);
    process.exit(1);
  }
}
