/**
 * Headers Supabase's API gateway expects with a server key, for Storage and the
 * Auth admin API. An `sb_secret_…` key goes in `apikey` only: it is not a JWT
 * and the gateway refuses it as a bearer (Supabase KB, "UNAUTHORIZED_MISSING_API_KEY").
 * The legacy `service_role` JWT goes in both `apikey` and `Authorization`.
 */
export function supabaseServerHeaders(serverKey: string): Record<string, string> {
  return serverKey.startsWith('sb_') ? { apikey: serverKey } : { apikey: serverKey, authorization: `Bearer ${serverKey}` };
}
