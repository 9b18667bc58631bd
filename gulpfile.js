const { src, dest, parallel } = require('gulp');

// tsc compiles the code; n8n also needs the icons and codex files next to the compiled nodes.
// encoding: false keeps gulp 5 from re-encoding binary icons.
function nodeAssets() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json'], { encoding: false }).pipe(dest('dist/nodes'));
}

function credentialIcons() {
	return src('credentials/**/*.{png,svg}', { encoding: false }).pipe(dest('dist/credentials'));
}

exports['build:icons'] = parallel(nodeAssets, credentialIcons);
