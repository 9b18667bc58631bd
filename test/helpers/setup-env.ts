import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core writes its instance settings under N8N_USER_FOLDER: keep them out of the home folder.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-slier-test-'));
// Debug logging on, into a file, so the key-leak checks read every line n8n and the nodes log
// (and the test output stays readable).
process.env.N8N_LOG_LEVEL = 'debug';
process.env.N8N_LOG_OUTPUT = 'file';
process.env.N8N_LOG_FILE_LOCATION = join(process.env.N8N_USER_FOLDER, 'n8n.log');
// Proxy variables on the machine must not send loopback test traffic elsewhere.
process.env.NO_PROXY = '127.0.0.1,localhost';
