import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { DoorDefinition, DoorProblem } from '@carrier/doors';

/**
 * What `carrier check` adds to the schema for enabled doors: the program and prlimit are
 * executable files and the working directory exists, so a missing binary is found by
 * the sysop and not by the first caller.
 */
export async function checkDoorPrograms(file: string, doors: readonly DoorDefinition[], prlimit: string): Promise<DoorProblem[]> {
  const problems: DoorProblem[] = [];
  const enabled = doors.filter((d) => d.enabled);
  if (enabled.length > 0 && !(await isExecutable(prlimit))) {
    problems.push({ file, key: '(prlimit)', message: `${prlimit} is not executable: doors run under prlimit (Debian: apt install util-linux); set doors.prlimit in carrier.yaml` });
  }
  for (const [i, d] of doors.entries()) {
    if (!d.enabled) continue;
    const program = d.command[0]!;
    if (!(await isExecutable(program))) {
      problems.push({ file, line: d.line, key: `doors[${i}].command[0]`, message: `${program} is not an executable file (door ${d.name}); install it or set enabled: false` });
    }
    if (d.cwd !== undefined) {
      const ok = await stat(d.cwd).then((st) => st.isDirectory(), () => false);
      if (!ok) problems.push({ file, line: d.line, key: `doors[${i}].cwd`, message: `${d.cwd} is not a directory (door ${d.name})` });
    }
  }
  return problems;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
