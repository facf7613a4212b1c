/**
 * Browser side: the message and per-field messages of an API error answer.
 * Reads both the current `{error, fieldErrors}` shape and the coded
 * `{error:{code,message,fields}}` one, so the pages survive the switch.
 */
export async function readApiError(res: Response): Promise<{ message: string; fields: Record<string, string[]> }> {
  const fallback = `Something went wrong (HTTP ${res.status}). Please try again.`;
  try {
    const body = (await res.json()) as { error?: string | { message?: string; fields?: Record<string, string[]> }; fieldErrors?: Record<string, string[]> };
    if (typeof body.error === 'string') return { message: body.error, fields: body.fieldErrors ?? {} };
    return { message: body.error?.message ?? fallback, fields: body.error?.fields ?? body.fieldErrors ?? {} };
  } catch {
    return { message: fallback, fields: {} };
  }
}
