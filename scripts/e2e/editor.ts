import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

import type { N8nHost } from './n8n-host';

export const OWNER = { email: 'owner@example.com', firstName: 'E2E', lastName: 'Owner', password: 'E2e-password-1' };
/**
 * Where the screenshots go: docs/ (for the README) with SLIER_E2E_SCREENSHOTS=docs, otherwise a
 * scratch folder, so an ordinary run leaves the work tree untouched.
 */
export const SHOTS =
	process.env.SLIER_E2E_SCREENSHOTS === 'docs' ? join(__dirname, '..', '..', 'docs') : join(tmpdir(), 'slier-e2e-screenshots');

/** Debian's Chromium with the flags this machine's closed network needs. */
async function launch() {
	return chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
	});
}

async function dismissPopups(page: Page) {
	for (let i = 0; i < 3; i++) await page.keyboard.press('Escape');
}

/**
 * Opens the real n8n editor: sets up the owner, opens a workflow with a Slier node, opens the
 * node's panel and its model list (loaded from the emulator through the node's listSearch).
 * Saves screenshots `<shots>-panel.png` and `<shots>-model-list.png` (see SHOTS) and returns
 * what the panel showed, for the caller to check.
 */
export async function captureEditor(host: N8nHost, workflowId: string, nodeName: string, shots = 'slier-chat') {
	await host.login(OWNER);
	mkdirSync(SHOTS, { recursive: true });
	const browser = await launch();
	try {
		const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
		const page = await context.newPage();
		const login = await page.request.post(`${host.url}/rest/login`, {
			data: { emailOrLdapLoginId: OWNER.email, password: OWNER.password },
		});
		if (!login.ok()) throw new Error(`login failed: HTTP ${login.status()}`);

		await page.goto(`${host.url}/workflow/${workflowId}`, { waitUntil: 'networkidle' });
		await dismissPopups(page);
		const node = page.locator('[data-test-id="canvas-node"]', { hasText: nodeName }).first();
		await node.waitFor({ timeout: 30_000 });
		await node.dblclick();
		const panel = page.locator('[data-test-id="ndv"]');
		await panel.waitFor({ timeout: 30_000 });
		await page.waitForTimeout(500);
		const panelText = await panel.innerText();
		await page.screenshot({ path: join(SHOTS, `${shots}-panel.png`) });

		await panel.locator('[data-test-id="rlc-input"]').first().click();
		// 'Claude 2 (claude-2)' is also the field's own value: wait for one only the list shows.
		await page.getByText('GPT-4o (gpt-4o)').first().waitFor({ timeout: 30_000 });
		const shown = await Promise.all(
			['Claude 2 (claude-2)', 'GPT-4o (gpt-4o)', 'Llama 3 70B (llama-3-70b)'].map(async (name) =>
				(await page.getByText(name).count()) > 0 ? name : '',
			),
		);
		const listText = shown.join('\n');
		await page.screenshot({ path: join(SHOTS, `${shots}-model-list.png`) });

		return { panelText, listText };
	} finally {
		await browser.close();
	}
}
