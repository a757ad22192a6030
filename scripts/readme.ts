/**
 * Keeps the generated parts of README.md true: each `<!-- generated:help CMD -->` block gets `mcp-bridge CMD --help`
 * and `<!-- generated:errors -->` gets the error catalogue. `--check` fails instead of writing (run by the tests).
 * Usage: npx tsx scripts/readme.ts [--check]   (needs a build: node scripts/build.mjs)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE, tagLabel, type ErrorTag } from '../src/errors/catalogue';

const root = join(__dirname, '..');
const readmePath = join(root, 'README.md');

function helpText(command: string): string {
  const args = command ? [...command.split(' '), '--help'] : ['--help'];
  const env: NodeJS.ProcessEnv = { ...process.env, COLUMNS: '110' };
  for (const name of Object.keys(env)) if (/^(MCP_BRIDGE_|TELEPORT_)/.test(name)) delete env[name];
  return execFileSync(process.execPath, [join(root, 'bin', 'mcp-bridge'), ...args], { encoding: 'utf8', env }).trimEnd();
}

function errorTable(): string {
  const rows = (Object.keys(CATALOGUE) as ErrorTag[]).map((tag) => {
    const { cause, fix, code } = CATALOGUE[tag];
    return `| \`${tagLabel(tag)}\` | ${code} | ${cause} | ${fix.replace(/\|/g, '\\|')} |`;
  });
  return ['| tag | JSON-RPC code | cause | fix |', '|---|---|---|---|', ...rows].join('\n');
}

export function renderReadme(text: string): string {
  return text.replace(
    /(<!-- generated:(help|errors)([^>]*?) -->\n)[\s\S]*?(<!-- \/generated -->)/g,
    (_all, open: string, kind: string, arg: string, close: string) => {
      const body = kind === 'errors' ? errorTable() : '```text\n' + helpText(arg.trim()) + '\n```';
      return `${open}${body}\n${close}`;
    },
  );
}

if (require.main === module) {
  const current = readFileSync(readmePath, 'utf8');
  const next = renderReadme(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      process.stderr.write('README.md is out of date: run `npx tsx scripts/readme.ts`\n');
      process.exit(1);
    }
  } else if (next !== current) {
    writeFileSync(readmePath, next);
  }
}
