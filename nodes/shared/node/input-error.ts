import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

/** A problem with what the user configured or fed in, found before anything is sent. */
export function inputError(
	ctx: IExecuteFunctions,
	itemIndex: number,
	problem: string,
	fix: string,
): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `${problem} (item ${itemIndex})`, {
		itemIndex,
		description: fix,
	});
}
