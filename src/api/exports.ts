// Scheduled jobs over HTTP: GET /api/v1/exports (jobs, newest runs, next tick), GET
// /api/v1/exports/{job}/runs/{run} (one run with its manifest), POST /api/v1/exports/{job}/run (admin: run now).
import { type FastifyPluginAsyncZod, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type JobScheduler, UnknownJobError } from '../jobs/scheduler.js';
import { JobsResponse, RunRecord, RunWithManifest } from '../jobs/model.js';
import { requireScope } from './auth.js';
import { sendApiError } from './errors.js';
import { projectOf } from './query/project.js';
import { ErrorResponse } from './query/schemas.js';

const JobParams = z.object({ job: z.string().min(1).max(64) });
const RunParams = JobParams.extend({ run: z.string().min(1).max(64) });

export const exportRoutes: FastifyPluginAsyncZod<{ scheduler: JobScheduler }> = async (app, { scheduler }) => {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The error table's answers (src/model/errors.ts): an unknown job is not_found, the store's words stay in the log.
  app.setErrorHandler((err, _req, reply) => sendApiError(reply, err, app.config.retryAfterSeconds));
  // A job is visible to keys of its project only.
  const jobOf = (name: string, project: string) => {
    const job = scheduler.job(name);
    if (scheduler.projectOf(job) !== project) throw new UnknownJobError(`no job named "${name}" in this project`);
    return job;
  };

  app.get(
    '/api/v1/exports',
    { schema: { summary: 'Scheduled jobs, their newest runs and next run time', tags: ['exports'], response: { 200: JobsResponse } } },
    async (req) => ({ jobs: await scheduler.list(projectOf(req)) }),
  );

  app.get(
    '/api/v1/exports/:job/runs/:run',
    {
      schema: {
        summary: "One run of a job, with its manifest (null unless the run succeeded)",
        tags: ['exports'],
        params: RunParams,
        response: { 200: RunWithManifest, 404: ErrorResponse },
      },
    },
    async (req, reply) => {
      jobOf(req.params.job, projectOf(req));
      const run = await scheduler.getRun(req.params.job, req.params.run);
      if (!run) return reply.code(404).send({ error: 'not_found', message: `run: job "${req.params.job}" has no run "${req.params.run}"` });
      return run;
    },
  );

  app.post(
    '/api/v1/exports/:job/run',
    {
      preHandler: requireScope('admin'),
      schema: {
        summary: 'Run a job now (admin scope); answers when the run has finished, ok or failed',
        tags: ['exports'],
        params: JobParams,
        response: { 200: RunRecord, 404: ErrorResponse },
      },
    },
    async (req) => {
      const job = jobOf(req.params.job, projectOf(req));
      return scheduler.runNow(job.name);
    },
  );
};
