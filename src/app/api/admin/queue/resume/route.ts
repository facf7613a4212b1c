import { resumeGenerationQueue } from '@/admin/operations';
import { withAdmin } from '@/server/route';

/** Resume provider calls after a pause (admin): `{resumed}`. */
export const POST = withAdmin({ route: 'admin-resume-queue' }, ({ ctx }) => resumeGenerationQueue(ctx.db));
