// Every HTTP route says who may call it: a handler in a @Controller class that carries an HTTP method
// decorator must also carry @Roles(...) or @Public(). An unguarded route is then a lint error, not a
// review comment. Modelled on twenty's `rest-api-methods-should-be-guarded`.
//
// Erasable TypeScript only (no enums, no parameter properties): ESLint loads it through Node's built-in
// type stripping, jest through swc.
import { AST_NODE_TYPES, TSESLint } from '@typescript-eslint/utils';
import type { TSESTree } from '@typescript-eslint/utils';

export const RULE_NAME = 'route-must-declare-roles';

const HTTP_METHOD_DECORATORS: ReadonlySet<string> = new Set(['Get', 'Post', 'Put', 'Patch', 'Delete', 'Head', 'Options', 'All']);
const ACCESS_DECORATORS: ReadonlySet<string> = new Set(['Roles', 'Public']);

type MessageIds = 'missingRoles';

/** The name a decorator was declared under: `@Get()`, `@Get`, `@common.Get()`; import aliases resolved. */
function decoratorName(decorator: TSESTree.Decorator, sourceCode: Readonly<TSESLint.SourceCode>): string | undefined {
  const target = decorator.expression.type === AST_NODE_TYPES.CallExpression ? decorator.expression.callee : decorator.expression;
  if (target.type === AST_NODE_TYPES.MemberExpression) {
    return target.property.type === AST_NODE_TYPES.Identifier ? target.property.name : undefined;
  }
  if (target.type !== AST_NODE_TYPES.Identifier) return undefined;
  // `import { Get as HttpGet } from '@nestjs/common'` still declares a GET route.
  let scope: TSESLint.Scope.Scope | null = sourceCode.getScope(decorator);
  let variable: TSESLint.Scope.Variable | undefined;
  while (scope && !variable) {
    variable = scope.set.get(target.name);
    scope = scope.upper;
  }
  const definition = variable?.defs[0];
  if (definition?.type === TSESLint.Scope.DefinitionType.ImportBinding && definition.node.type === AST_NODE_TYPES.ImportSpecifier) {
    const imported = definition.node.imported;
    return imported.type === AST_NODE_TYPES.Identifier ? imported.name : imported.value;
  }
  return target.name;
}

function methodLabel(method: TSESTree.MethodDefinition, sourceCode: Readonly<TSESLint.SourceCode>): string {
  if (method.key.type === AST_NODE_TYPES.Identifier || method.key.type === AST_NODE_TYPES.PrivateIdentifier) return method.key.name;
  return sourceCode.getText(method.key);
}

export const routeMustDeclareRoles: TSESLint.RuleModule<MessageIds> = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Require @Roles(...) or @Public() on every HTTP route handler of a @Controller class.',
    },
    messages: {
      missingRoles: 'Route handler "{{method}}" has @{{httpMethod}} but neither @Roles(...) nor @Public(): say who may call it.',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const { sourceCode } = context;
    const names = (decorators: readonly TSESTree.Decorator[]): string[] => decorators.map((d) => decoratorName(d, sourceCode)).filter((n): n is string => n !== undefined);

    const checkClass = (node: TSESTree.ClassDeclaration | TSESTree.ClassExpression): void => {
      if (!names(node.decorators).includes('Controller')) return;
      for (const member of node.body.body) {
        if (member.type !== AST_NODE_TYPES.MethodDefinition) continue;
        const decorators = names(member.decorators);
        const httpMethod = decorators.find((n) => HTTP_METHOD_DECORATORS.has(n));
        if (httpMethod === undefined) continue;
        if (decorators.some((n) => ACCESS_DECORATORS.has(n))) continue;
        context.report({
          node: member.key,
          messageId: 'missingRoles',
          data: { method: methodLabel(member, sourceCode), httpMethod },
        });
      }
    };

    return { ClassDeclaration: checkClass, ClassExpression: checkClass };
  },
};
