/**
 * Text around the calls that is not the answer: a model's thought (`<think>`, Seed-OSS's
 * `<seed:think>`, Command R7B's `<|START_THINKING|>`, Gemma 4's `<|channel>thought…<channel|>`) and GPT-OSS's harmony framing. A call inside
 * a thought never runs, and the framing never reaches the chat. (The reasoning issue keeps the
 * thought apart upstream; this is the reader's own guarantee when it sees the raw answer.)
 */

const THOUGHT = /<think>[\s\S]*?(?:<\/think>|$)|<seed:think>[\s\S]*?(?:<\/seed:think>|$)|<\|START_THINKING\|>[\s\S]*?(?:<\|END_THINKING\|>|$)|<\|channel>[\s\S]*?(?:<channel\|>|$)/gi;

/** Where a thought or harmony framing starts at or after `from`: the streaming guard holds from there to the end. */
export function framingAt(text: string, from: number): number | undefined {
	const found = /<think>|<seed:think>|<\|START_THINKING\|>|<\|channel\|?>|<\|start\|>/i.exec(text.slice(from));
	return found ? from + found.index : undefined;
}

export const FRAMING_LITERALS = ['<think>', '<seed:think>', '<|start_thinking|>', '<|channel|>', '<|channel>', '<|start|>'];

/** The answer without thoughts, and a harmony answer as plain text with its calls in one form the reader reads. */
export function withoutFraming(text: string): string {
	const plain = text.replace(THOUGHT, '');
	return /<\|(?:channel|start)\|>/.test(plain) ? harmonyView(plain) : plain;
}

const TOKEN = /<\|(start|channel|constrain|message|end|call|return)\|>/g;

/**
 * GPT-OSS (harmony: vLLM `openai_tool_parser.py`, llama.cpp `common/chat.cpp`): messages are
 * `[<|start|>assistant][ to=functions.NAME]<|channel|>CHANNEL[ to=functions.NAME][ <|constrain|>json]<|message|>CONTENT`
 * ended by `<|end|>`, `<|call|>` or `<|return|>`. The analysis channel is thought and is dropped;
 * a message to `functions.NAME` is a call, written `to=functions.NAME<|message|>ARGS<|call|>`;
 * other content is the answer.
 */
function harmonyView(text: string): string {
	let out = '';
	let header: string | undefined; // set while inside a message's header
	let content: { header: string; start: number } | undefined;
	let last = 0;
	const flush = (end: number) => {
		if (!content) return;
		const body = text.slice(content.start, end);
		const recipient = /to=(functions\.[\w.-]+)/.exec(content.header);
		if (recipient) out += `${recipient[0]}<|message|>${body}<|call|>`;
		else if (!/<\|channel\|>\s*analysis/.test(content.header)) out += body;
		content = undefined;
	};
	for (const match of text.matchAll(TOKEN)) {
		const at = match.index!;
		const token = match[1];
		if (content) {
			if (token === 'end' || token === 'call' || token === 'return') {
				flush(at);
				last = at + match[0].length;
				continue;
			}
			if (token !== 'start' && token !== 'channel') continue;
			flush(at); // a new message begins without its predecessor's end token
			last = at;
		}
		if (header === undefined) {
			// The recipient may stand before the first token: ` to=functions.NAME<|channel|>…` (llama.cpp's tests).
			const before = text.slice(last, at);
			const recipient = /(?:assistant)?\s*to=functions\.[\w.-]+\s*$/.exec(before);
			out += recipient ? before.slice(0, recipient.index) : before;
			header = recipient ? recipient[0] : '';
		} else header += text.slice(last, at);
		if (token === 'message') {
			content = { header, start: at + match[0].length };
			header = undefined;
		} else if (token !== 'end' && token !== 'call' && token !== 'return') header += match[0];
		else header = undefined;
		last = at + match[0].length;
	}
	if (content) flush(text.length);
	else if (header !== undefined) {
		header += text.slice(last);
		const recipient = /to=(functions\.[\w.-]+)/.exec(header);
		if (recipient) out += `${recipient[0]}<|message|>`;
	} else out += text.slice(last);
	return out;
}
