import { RuleTester } from 'eslint';
import type { Rule } from 'eslint';
import { parser } from 'typescript-eslint';
import { RULE_NAME, routeMustDeclareRoles } from './route-must-declare-roles';

// ESLint's RuleTester registers its cases with jest's describe/it.
const ruleTester = new RuleTester({ languageOptions: { parser } });
// The rule is typed against TS-ESTree; ESLint's RuleTester is typed against plain ESTree.
const rule = routeMustDeclareRoles as unknown as Rule.RuleModule;

const imports = `import { Controller, Delete, Get, Patch, Post, Put } from '@nestjs/common';
import { Public, Roles } from '@mreg/platform/runtime';
`;

ruleTester.run(RULE_NAME, rule, {
  valid: [
    {
      name: 'every route declares roles or is public',
      code: `${imports}
@Controller('models')
export class ModelController {
  @Get() @Roles('reader') list() {}
  @Post() @Roles('contributor') create() {}
  @Put(':id') @Roles('contributor') replace() {}
  @Patch(':id') @Roles('contributor') update() {}
  @Delete(':id') @Roles('admin') remove() {}
  @Get('health') @Public() health() {}
}`,
    },
    {
      name: 'helpers without an HTTP decorator need nothing',
      code: `${imports}
@Controller('models')
export class ModelController {
  @Get() @Roles('reader') list() { return this.load(); }
  private load() { return []; }
}`,
    },
    {
      name: 'a class that is not a controller is not checked',
      code: `${imports}
export class NotAController {
  @Get() list() {}
}`,
    },
    {
      name: 'decorator order does not matter',
      code: `${imports}
@Controller()
export class C {
  @Roles('admin')
  @Delete(':id')
  remove() {}
}`,
    },
  ],
  invalid: [
    {
      name: 'a GET route without roles',
      code: `${imports}
@Controller('models')
export class ModelController {
  @Get() list() {}
}`,
      errors: [{ messageId: 'missingRoles', data: { method: 'list', httpMethod: 'Get' } }],
    },
    {
      name: 'every unguarded verb is reported, guarded ones are not',
      code: `${imports}
@Controller('models')
export class ModelController {
  @Post() create() {}
  @Put(':id') replace() {}
  @Patch(':id') @Roles('contributor') update() {}
  @Delete(':id') remove() {}
}`,
      errors: [
        { messageId: 'missingRoles', data: { method: 'create', httpMethod: 'Post' } },
        { messageId: 'missingRoles', data: { method: 'replace', httpMethod: 'Put' } },
        { messageId: 'missingRoles', data: { method: 'remove', httpMethod: 'Delete' } },
      ],
    },
    {
      name: 'an aliased import of an HTTP decorator is still a route',
      code: `import { Controller, Get as HttpGet } from '@nestjs/common';
@Controller()
export class C {
  @HttpGet() list() {}
}`,
      errors: [{ messageId: 'missingRoles', data: { method: 'list', httpMethod: 'Get' } }],
    },
    {
      name: 'namespace-qualified decorators are recognised',
      code: `import * as common from '@nestjs/common';
@common.Controller()
export class C {
  @common.Post() create() {}
}`,
      errors: [{ messageId: 'missingRoles', data: { method: 'create', httpMethod: 'Post' } }],
    },
    {
      name: 'a controller declared as a class expression',
      code: `${imports}
export const C = @Controller() class {
  @Get() list() {}
};`,
      errors: [{ messageId: 'missingRoles' }],
    },
    {
      name: 'an unrelated decorator does not count as a role declaration',
      code: `${imports}
import { UseGuards } from '@nestjs/common';
@Controller()
export class C {
  @Get() @UseGuards() list() {}
}`,
      errors: [{ messageId: 'missingRoles' }],
    },
  ],
});
