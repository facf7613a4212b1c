import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

/** A fault the stub answers instead of the real thing, for the next matching request(s). */
export type StorageStubFault = { kind: 'status'; status: number } | { kind: 'unauthorized' } | { kind: 'timeout' } | { kind: 'bucket-not-found' };

/** Which API a request hit, for counting calls and aiming faults. */
export type StorageStubRoute = 'bucket-get' | 'bucket-create' | 'upload' | 'head' | 'info' | 'sign' | 'download' | 'public' | 'unknown';

export interface StorageStubCall {
  route: StorageStubRoute;
  method: string;
  /** Object key inside its bucket (object routes), or the bucket id. */
  path: string;
  apikey: string | undefined;
  authorization: string | undefined;
  /** `x-upsert` as sent (uploads). */
  upsert: string | undefined;
  /** Content type stored for an upload (from the header, or the multipart file part). */
  contentType: string | undefined;
  /** Whether an upload came as multipart/form-data rather than a raw body. */
  multipart: boolean;
  /** HTTP status the stub answered (0 when it never answered: a timeout). */
  status: number;
}

interface Bucket {
  id: string;
  public: boolean;
  allowedMimeTypes: string[] | null;
  fileSizeLimit: number | null;
}

// Storage's error bodies: HTTP 400 with the "real" status in `statusCode` (a string).
const BUCKET_NOT_FOUND = { statusCode: '404', error: 'Bucket not found', message: 'Bucket not found' };
const OBJECT_NOT_FOUND = { statusCode: '404', error: 'not_found', message: 'Object not found' };
const DUPLICATE = { statusCode: '409', error: 'Duplicate', message: 'The resource already exists' };

/**
 * A local HTTP stand-in for the Supabase Storage API (`<SUPABASE_URL>/storage/v1`),
 * speaking the routes `@supabase/storage-js` calls, with Storage's error bodies:
 * - `GET /bucket/:id`, `POST /bucket`;
 * - `POST|PUT /object/:bucket/:path` (raw body or multipart/form-data; `x-upsert`
 *   decides whether an existing object is overwritten or a 409 Duplicate);
 *   the bucket's MIME allow-list and size limit are enforced;
 * - `HEAD /object/:bucket/:path`, `GET /object/info/:bucket/:path`;
 * - `POST /object/sign/:bucket/:path` `{expiresIn}` → `{signedURL}` carrying a
 *   JWT `token` (HS256, claim `url` = `<bucket>/<path>`, `exp`), and
 *   `GET /object/sign/:bucket/:path?token=` serving the bytes while it is valid;
 * - `GET /object/public/…` refused for a private bucket.
 *
 * Every route but the signed download checks the gateway's headers: `apikey` must
 * be one of `serverKeys`; an `sb_secret_…` key may not travel as a bearer of
 * anything else, and a legacy JWT key must also be the bearer. Faults (5xx,
 * 401, a timeout, "bucket not found") are injected per route with `failNext`.
 */
export async function startSupabaseStorageStub(options: {
  serverKeys: string[];
  /** Answers requests outside `/storage/v1` (e.g. a JWKS at `/auth/v1/…`), so one stub can be the whole SUPABASE_URL. */
  otherRoutes?: http.RequestListener;
}) {
  const signingKey = randomBytes(32);
  const buckets = new Map<string, Bucket>();
  const objects = new Map<string, { bytes: Buffer; contentType: string }>();
  const calls: StorageStubCall[] = [];
  const faults: { route: StorageStubRoute | 'any'; fault: StorageStubFault }[] = [];

  function authorised(req: http.IncomingMessage): boolean {
    const apikey = req.headers.apikey as string | undefined;
    const authorization = req.headers.authorization;
    if (!apikey || !options.serverKeys.includes(apikey)) return false;
    if (apikey.startsWith('sb_')) return authorization === undefined || authorization === `Bearer ${apikey}`;
    return authorization === `Bearer ${apikey}`;
  }

  function routeOf(method: string, parts: string[]): { route: StorageStubRoute; bucket: string; key: string } {
    const [head, second, ...rest] = parts;
    if (head === 'bucket') return { route: method === 'POST' ? 'bucket-create' : 'bucket-get', bucket: second ?? '', key: '' };
    if (head !== 'object' || !second) return { route: 'unknown', bucket: '', key: '' };
    if (second === 'sign') return { route: method === 'POST' ? 'sign' : 'download', bucket: rest[0] ?? '', key: rest.slice(1).join('/') };
    if (second === 'info') return { route: 'info', bucket: rest[0] ?? '', key: rest.slice(1).join('/') };
    if (second === 'public') return { route: 'public', bucket: rest[0] ?? '', key: rest.slice(1).join('/') };
    if (method === 'HEAD') return { route: 'head', bucket: second, key: rest.join('/') };
    if (method === 'POST' || method === 'PUT') return { route: 'upload', bucket: second, key: rest.join('/') };
    return { route: 'unknown', bucket: second, key: rest.join('/') };
  }

  async function readUpload(req: http.IncomingMessage, body: Buffer): Promise<{ bytes: Buffer; contentType: string; multipart: boolean }> {
    const type = req.headers['content-type'] ?? 'application/octet-stream';
    if (!type.startsWith('multipart/form-data')) return { bytes: body, contentType: type, multipart: false };
    const form = await new Request('http://stub/', { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(body) }).formData();
    const file = [...form.values()].find((v): v is File => typeof v !== 'string');
    if (!file) throw new Error('multipart upload without a file part');
    return { bytes: Buffer.from(await file.arrayBuffer()), contentType: file.type || 'application/octet-stream', multipart: true };
  }

  const server = http.createServer((req, res) => {
    if (options.otherRoutes && !req.url!.startsWith('/storage/v1/')) return options.otherRoutes(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks)).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ statusCode: '500', error: 'stub', message: String(err) }));
      });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) {
    const url = new URL(req.url!, 'http://stub');
    const method = req.method!;
    const parts = url.pathname
      .replace(/^\/storage\/v1\//, '')
      .split('/')
      .map(decodeURIComponent);
    const { route, bucket, key } = routeOf(method, parts);
    const call: StorageStubCall = {
      route,
      method,
      path: key || bucket,
      apikey: req.headers.apikey as string | undefined,
      authorization: req.headers.authorization,
      upsert: req.headers['x-upsert'] as string | undefined,
      contentType: route === 'upload' ? req.headers['content-type'] : undefined,
      multipart: false,
      status: 0,
    };
    calls.push(call);
    const reply = (status: number, json?: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      res.writeHead(status, json === undefined ? headers : { 'content-type': 'application/json', ...headers });
      res.end(json === undefined || method === 'HEAD' ? undefined : JSON.stringify(json));
    };

    const faultAt = faults.findIndex((f) => f.route === 'any' || f.route === route);
    if (faultAt >= 0) {
      const { fault } = faults.splice(faultAt, 1)[0]!;
      if (fault.kind === 'timeout') return; // never answers; the client's timeout must fire
      if (fault.kind === 'status') return reply(fault.status, { statusCode: String(fault.status), error: 'internal', message: 'Internal Server Error' });
      if (fault.kind === 'unauthorized') return reply(401, { message: 'Invalid API key' });
      return reply(400, BUCKET_NOT_FOUND);
    }

    if (route === 'download') return download(url, bucket, key, reply, res, call);
    if (route === 'public') return reply(400, buckets.get(bucket)?.public ? OBJECT_NOT_FOUND : BUCKET_NOT_FOUND);
    if (!authorised(req)) return reply(401, { message: 'Invalid API key' });

    if (route === 'bucket-get') {
      const b = buckets.get(bucket);
      if (!b) return reply(400, BUCKET_NOT_FOUND);
      return reply(200, { id: b.id, name: b.id, public: b.public, allowed_mime_types: b.allowedMimeTypes, file_size_limit: b.fileSizeLimit });
    }
    if (route === 'bucket-create') {
      const json = JSON.parse(body.toString() || '{}') as { id?: string; public?: boolean; allowed_mime_types?: string[]; file_size_limit?: number };
      call.path = json.id ?? '';
      if (!json.id) return reply(400, { statusCode: '400', error: 'invalid_request', message: 'body must have required property id' });
      if (buckets.has(json.id)) return reply(400, DUPLICATE);
      buckets.set(json.id, {
        id: json.id,
        public: Boolean(json.public),
        allowedMimeTypes: json.allowed_mime_types ?? null,
        fileSizeLimit: json.file_size_limit ?? null,
      });
      return reply(200, { name: json.id });
    }
    const b = buckets.get(bucket);
    if (!b) return reply(400, BUCKET_NOT_FOUND);
    const id = `${bucket}/${key}`;
    if (route === 'upload') {
      const upload = await readUpload(req, body);
      call.contentType = upload.contentType;
      call.multipart = upload.multipart;
      const exists = objects.has(id);
      if (method === 'POST' && exists && call.upsert !== 'true') return reply(400, DUPLICATE);
      if (method === 'PUT' && !exists) return reply(400, OBJECT_NOT_FOUND);
      if (b.allowedMimeTypes && !b.allowedMimeTypes.includes(upload.contentType)) {
        return reply(400, { statusCode: '415', error: 'invalid_mime_type', message: `mime type ${upload.contentType} is not supported` });
      }
      if (b.fileSizeLimit !== null && upload.bytes.length > b.fileSizeLimit) {
        return reply(400, { statusCode: '413', error: 'Payload too large', message: 'The object exceeded the maximum allowed size' });
      }
      objects.set(id, { bytes: upload.bytes, contentType: upload.contentType });
      return reply(200, { Id: randomUUID(), Key: id });
    }
    const object = objects.get(id);
    if (route === 'head') {
      if (!object) return reply(404);
      return reply(200, undefined, { 'content-type': object.contentType, 'content-length': String(object.bytes.length) });
    }
    if (route === 'info') {
      if (!object) return reply(404, OBJECT_NOT_FOUND);
      return reply(200, { id: randomUUID(), name: key, bucket_id: bucket, size: object.bytes.length, content_type: object.contentType });
    }
    if (route === 'sign') {
      if (!object) return reply(400, OBJECT_NOT_FOUND);
      const { expiresIn } = JSON.parse(body.toString() || '{}') as { expiresIn?: number };
      if (!Number.isInteger(expiresIn) || expiresIn! < 1) return reply(400, { statusCode: '400', error: 'invalid_request', message: 'expiresIn must be >= 1' });
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ url: id })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt(now)
        .setExpirationTime(now + expiresIn!)
        .sign(signingKey);
      return reply(200, { signedURL: `/object/sign/${id}?token=${token}` });
    }
    return reply(404, { statusCode: '404', error: 'not_found', message: 'no such route in the stub' });
  }

  async function download(url: URL, bucket: string, key: string, reply: (s: number, j?: unknown) => void, res: http.ServerResponse, call: StorageStubCall) {
    const token = url.searchParams.get('token');
    if (!token) return reply(400, { statusCode: '400', error: 'InvalidJWT', message: 'querystring must have required property token' });
    try {
      const { payload } = await jwtVerify(token, signingKey, { algorithms: ['HS256'] });
      if (payload.url !== `${bucket}/${key}`)
        return reply(400, { statusCode: '400', error: 'InvalidSignature', message: 'The url do not match the signature' });
    } catch (err) {
      const message = err instanceof joseErrors.JWTExpired ? '"exp" claim timestamp check failed' : 'signature verification failed';
      return reply(400, { statusCode: '400', error: 'InvalidJWT', message });
    }
    const object = objects.get(`${bucket}/${key}`);
    if (!object) return reply(400, OBJECT_NOT_FOUND);
    call.status = 200;
    res.writeHead(200, { 'content-type': object.contentType, 'content-length': String(object.bytes.length) });
    res.end(object.bytes);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    /** Use as `SUPABASE_URL`: the Storage API lives under `/storage/v1`. */
    url: `http://127.0.0.1:${port}`,
    calls,
    buckets,
    /** Stored objects, keyed `<bucket>/<path>`. */
    objects,
    /** Answers the next `times` requests to `route` with `fault` instead. */
    failNext(route: StorageStubRoute | 'any', fault: StorageStubFault, times = 1) {
      for (let i = 0; i < times; i++) faults.push({ route, fault });
    },
    /** Creates a bucket directly (as the Dashboard would). */
    createBucket(id: string, opts: { public?: boolean } = {}) {
      buckets.set(id, { id, public: Boolean(opts.public), allowedMimeTypes: null, fileSizeLimit: null });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type SupabaseStorageStub = Awaited<ReturnType<typeof startSupabaseStorageStub>>;
