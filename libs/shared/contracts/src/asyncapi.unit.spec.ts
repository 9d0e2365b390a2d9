import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, isScalar } from 'yaml';
import { ALL_EVENT_TOPICS, ALL_INBOUND_TOPICS } from './topics';
import { APPROVAL_COMMAND_V1, ApprovalCommandV1 } from './messages/approval-command-v1';
import { APPROVAL_COMMAND_REJECTED_V1_TYPE, MessageRejectedV1, TRAINING_RUN_REJECTED_V1_TYPE } from './messages/message-rejected-v1';
import { TRAINING_RUN_COMPLETED_V1, TrainingRunCompletedV1 } from './messages/training-run-completed-v1';
import { asyncApiDocument } from './asyncapi/asyncapi.document';

// docs/api/asyncapi.yaml is generated from the contracts (asyncapi/asyncapi.document.ts) and must be that output;
// it must show every topic, every public event type (as declared in events/*.ts), every inbound message type and
// the fields of their schemas. MREG_WRITE_ASYNCAPI=1 (`npm run asyncapi`) writes the file instead of failing.

/** docs/api/asyncapi.yaml's text. */
function asyncApiYaml(): string {
  const doc = new Document(asyncApiDocument());
  doc.commentBefore =
    " AsyncAPI 3.0 description of mreg's Kafka topics: public events, inbound training events and approval\n commands, and the rejection topics. Generated from libs/shared/contracts (asyncapi/asyncapi.document.ts, the\n TypeBox definitions in integration/ and messages/): edit those and run `npm run asyncapi`.";
  const version = doc.get('asyncapi', true);
  if (isScalar(version)) version.type = 'QUOTE_DOUBLE';
  return doc.toString({ lineWidth: 0 });
}

const ROOT = join(__dirname, '..', '..', '..', '..');
const TARGET = join(ROOT, 'docs', 'api', 'asyncapi.yaml');
const generated = asyncApiYaml();
if (process.env['MREG_WRITE_ASYNCAPI'] === '1') writeFileSync(TARGET, generated);
const asyncapi = readFileSync(TARGET, 'utf8');
const CONTEXT_OF_FILE: Readonly<Record<string, string>> = {
  'model.ts': 'registration',
  'governance.ts': 'governance',
  'artifact.ts': 'artifact',
  'tracking.ts': 'tracking',
};

function declaredEventTypes(): { type: string; context: string }[] {
  const dir = join(__dirname, 'events');
  return readdirSync(dir)
    .filter((file) => file in CONTEXT_OF_FILE)
    .flatMap((file) => [...readFileSync(join(dir, file), 'utf8').matchAll(/Event<\s*'([A-Za-z]+)'/g)].map((m) => ({ type: m[1], context: CONTEXT_OF_FILE[file] })));
}

describe('docs/api/asyncapi.yaml', () => {
  it('is the generated document (`npm run asyncapi` writes it)', () => {
    expect(asyncapi).toBe(generated);
  });

  it('is an AsyncAPI 3.0 document', () => {
    expect(asyncapi).toMatch(/^asyncapi: "3\.0\.0"$/m);
  });

  it('has a channel for every topic', () => {
    for (const topic of [...ALL_EVENT_TOPICS, ...ALL_INBOUND_TOPICS]) expect(asyncapi).toContain(`address: ${topic}\n`);
  });

  it('documents every public event type with its CloudEvents type', () => {
    const declared = declaredEventTypes();
    expect(declared.length).toBeGreaterThan(25);
    for (const { type, context } of declared) {
      expect(asyncapi).toContain(`\n    ${type}:\n      name: ${type}\n`);
      expect(asyncapi).toContain(`const: io.mreg.${context}.${type}.v1\n`);
    }
  });

  it('documents the inbound messages, their rejections and the fields of their schemas', () => {
    for (const type of [TRAINING_RUN_COMPLETED_V1.type, APPROVAL_COMMAND_V1.type, TRAINING_RUN_REJECTED_V1_TYPE, APPROVAL_COMMAND_REJECTED_V1_TYPE]) {
      expect(asyncapi).toContain(`const: ${type}\n`);
    }
    for (const schema of [TrainingRunCompletedV1, ApprovalCommandV1, MessageRejectedV1]) {
      expect(asyncapi).toContain(`    ${schema.title ?? ''}:\n`);
      for (const field of Object.keys(schema.properties)) expect(asyncapi).toMatch(new RegExp(`\\n {8}${field}:\\n`));
    }
  });
});
