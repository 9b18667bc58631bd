import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * What a user's npm receives (`npm pack`): the compiled package with its LICENSE, one copy of
 * each icon, no source maps (they would point at .ts files that are not shipped), and a
 * package.json that passes n8n's community lint (author with e-mail, no "overrides").
 * `npm test` builds first, so this packs the current build.
 */
const root = resolve(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function packedFiles(): string[] {
	const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
	return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path).sort();
}

describe('the npm package', () => {
	const files = packedFiles();

	it('ships the MIT LICENSE that package.json names, the README and package.json', () => {
		expect(pkg.license).toBe('MIT');
		expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'index.js']));
		expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
	});

	it('ships no source maps and nothing but dist, index.js and the npm defaults', () => {
		expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
		expect(files.filter((f) => !f.startsWith('dist/') && !['LICENSE', 'README.md', 'package.json', 'index.js'].includes(f))).toEqual([]);
	});

	it('ships each icon once', () => {
		const icons = files.filter((f) => /\.(svg|png)$/.test(f));
		expect(icons).toEqual(['dist/icons/slier.dark.svg', 'dist/icons/slier.svg', 'dist/icons/slierSearch.dark.svg', 'dist/icons/slierSearch.svg']);
	});

	it('ships every file the "n8n" section names', () => {
		for (const file of [...pkg.n8n.credentials, ...pkg.n8n.nodes] as string[]) expect(files).toContain(file);
	});

	it('has an author with an e-mail and no "overrides" (n8n forbids it in community packages)', () => {
		expect(pkg.author.email).toMatch(/^[^@\s]+@[^@\s]+$/);
		expect(pkg.overrides).toBeUndefined();
	});
});
