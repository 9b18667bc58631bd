const { src, dest, parallel } = require('gulp');

// tsc compiles the code; n8n also needs the icons and codex files next to the compiled code.
// The icons live once in icons/ and the nodes and credential point there (file:../../icons/…),
// as in n8n's own node template. encoding: false keeps gulp 5 from re-encoding binary icons.
function icons() {
	return src('icons/*.{png,svg}', { encoding: false }).pipe(dest('dist/icons'));
}

function codexFiles() {
	return src('nodes/**/*.node.json').pipe(dest('dist/nodes'));
}

exports['build:icons'] = parallel(icons, codexFiles);
