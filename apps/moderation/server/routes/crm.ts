import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { crm, Invalid } from '@forum/core';
import { errorResponses, Nullable } from '@forum/forum/server/http/schemas';

/** A contacts export of up to 20 MB (about 100k rows). */
const IMPORT_BODY_LIMIT = 20 * 1024 * 1024;

const Source = Type.Union([Type.Literal('salesforce'), Type.Literal('hubspot')]);

export const Tier = Type.Union([Type.Literal('vip'), Type.Literal('enterprise'), Type.Literal('standard')]);

export const Account = Type.Object({
  id: Type.String(),
  name: Type.String(),
  domain: Nullable(Type.String()),
  tier: Tier,
  annualValue: Nullable(Type.Number()),
});

export const ContactSummary = Type.Object({
  id: Type.String(),
  firstName: Nullable(Type.String()),
  lastName: Nullable(Type.String()),
  email: Type.String(),
  title: Nullable(Type.String()),
  account: Nullable(Account),
});

const ImportReport = Type.Object({
  source: Source,
  rows: Type.Integer({ description: 'data rows read, the header not counted' }),
  accepted: Type.Integer(),
  rejectedCount: Type.Integer(),
  rejected: Type.Array(Type.Object({ row: Type.Integer({ description: 'row in the file; the header is row 1' }), reason: Type.String(), email: Nullable(Type.String()) }), {
    description: 'the first 1000 rejected rows',
  }),
  contacts: Type.Object({ created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer() }),
  accounts: Type.Object({ created: Type.Integer(), updated: Type.Integer() }),
  mappedColumns: Type.Record(Type.String(), Type.String()),
  unknownColumns: Type.Array(Type.String(), { description: 'columns the import ignored' }),
});

// The CRM directory: admins import contacts exports, staff search them. Nothing here is in the forum app.
export const crmRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // the export as it was downloaded (text/csv) reads as the JSON form's { csv }, so one schema checks both
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_request, body, done) => done(null, { csv: body }));

  app.post(
    '/crm/imports',
    {
      config: { access: 'admin' },
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['crm'],
        summary: 'Import a Salesforce or HubSpot contacts export (CSV, up to 20 MB) into the CRM directory; admins only. Re-importing a file changes nothing.',
        description: 'Send the file as the body with content-type text/csv (the vendor in `?source=` when the header does not tell), or as JSON `{ csv, source? }`.',
        querystring: Type.Object({ source: Type.Optional(Source) }),
        body: Type.Object({ csv: Type.String(), source: Type.Optional(Source) }, { additionalProperties: false }),
        response: { 200: Type.Object({ report: ImportReport }), ...errorResponses },
      },
    },
    async (request) => {
      const { csv, source } = request.body;
      if (!csv.trim()) throw new Invalid({ csv: 'is empty: send the contacts export' }, 'The file is empty', 'empty_file');
      return { report: await crm.importContactsCsv(request.ctx, { csv, source: source ?? request.query.source }) };
    },
  );

  app.get(
    '/crm/contacts',
    {
      schema: {
        tags: ['crm'],
        summary: 'CRM contacts whose name, email or account matches q, best first',
        querystring: Type.Object({ q: Type.String({ maxLength: 200 }), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })) }),
        response: { 200: Type.Object({ contacts: Type.Array(ContactSummary) }), ...errorResponses },
      },
    },
    async (request) => ({ contacts: await crm.searchContacts(request.ctx, request.query.q, { limit: request.query.limit }) }),
  );
};
