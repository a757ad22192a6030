import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../support/cli';


test('the generated parts of README.md match the CLI help and the error catalogue (scripts/readme.ts --check)', async () => {
  const outcome = await new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(process.execPath, [join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(REPO, 'scripts', 'readme.ts'), '--check'], { cwd: REPO }, (err, _out, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }),
    ),
  );
  expect(outcome).toEqual({ code: 0, stderr: '' });
});
