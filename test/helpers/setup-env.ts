import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core writes its instance settings under N8N_USER_FOLDER: keep them out of the home folder.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-slier-test-'));
// Debug logging on, so the key-leak checks see every line n8n and the nodes could log.
process.env.N8N_LOG_LEVEL = 'debug';
// Proxy variables on the machine must not send loopback test traffic elsewhere.
process.env.NO_PROXY = '127.0.0.1,localhost';
