import {
  DefaultTokenResolver,
  type IAspect,
  StringConcat,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  Tokenization,
} from 'cdktf';
import type { IConstruct, IValidation } from 'constructs';
import { isLoopbackHttpUri } from './redirect-uri.js';

/** Resource attributes that hold a secret value; an output referencing one would print it. */
const SECRET_ATTRIBUTE_REFERENCE =
  /\b(azuread_application_password|azuread_service_principal_password|random_password|azurerm_key_vault_secret)\.[\w-]+\.(value|result)\b/;

type Attributes = Record<string, unknown>;

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Resolves tokens to their Terraform expressions (`${type.name.attr}`), as synthesis does. */
function resolveInStack(scope: IConstruct, value: unknown): unknown {
  return Tokenization.resolve(value, { scope: TerraformStack.of(scope), resolver: RESOLVER });
}
type Rule = (attributes: Attributes) => string[];

const rules: Readonly<Record<string, Rule>> = {
  azurerm_key_vault: (a) => {
    const problems: string[] = [];
    if (a.purge_protection_enabled !== true) problems.push('Key Vault must have purge_protection_enabled = true');
    if (a.rbac_authorization_enabled !== true && a.enable_rbac_authorization !== true) {
      problems.push('Key Vault must use RBAC authorization (rbac_authorization_enabled = true)');
    }
    return problems;
  },
  azurerm_key_vault_secret: (a) =>
    typeof a.expiration_date === 'string' && a.expiration_date !== ''
      ? []
      : ['Key Vault secret must have an expiration_date'],
  azuread_service_principal: (a) =>
    a.app_role_assignment_required === true ? [] : ['service principal must set app_role_assignment_required = true'],
  azuread_application: (a) =>
    [a.web, a.single_page_application, a.public_client].flatMap((block) =>
      httpRedirectProblems((block as Attributes | undefined)?.redirect_uris),
    ),
  azuread_application_redirect_uris: (a) => httpRedirectProblems(a.redirect_uris),
};

function httpRedirectProblems(uris: unknown): string[] {
  if (!Array.isArray(uris)) return [];
  return uris
    .filter((uri): uri is string => typeof uri === 'string' && uri.startsWith('http://') && !isLoopbackHttpUri(uri))
    .map((uri) => `redirect URI ${JSON.stringify(uri)} uses http on a non-loopback host; use https`);
}

class ResourcePolicyValidation implements IValidation {
  constructor(
    private readonly resource: TerraformResource,
    private readonly rule: Rule,
  ) {}

  validate(): string[] {
    const block = resolveInStack(this.resource, this.resource.toTerraform()) as {
      resource: Record<string, Record<string, Attributes>>;
    };
    const attributes = block.resource[this.resource.terraformResourceType][this.resource.friendlyUniqueId];
    return this.rule(attributes).map((problem) => `gatehouse policy: ${problem}`);
  }
}

class OutputPolicyValidation implements IValidation {
  constructor(private readonly output: TerraformOutput) {}

  validate(): string[] {
    const resolved = JSON.stringify(resolveInStack(this.output, this.output.value)) ?? '';
    const match = SECRET_ATTRIBUTE_REFERENCE.exec(resolved);
    return match ? [`gatehouse policy: output must not expose a secret value (references ${match[0]})`] : [];
  }
}

/**
 * Stack-wide security policy, applied with `Aspects.of(stack).add(new GatehousePolicy())`. It attaches validations
 * (`node.addValidation`), so both `app.synth()` and `Testing.synth(stack, true)` fail on: a Key Vault without purge
 * protection or RBAC, a Key Vault secret without expiry, an http redirect URI on a non-loopback host, a service
 * principal that does not require app-role assignment, and a `TerraformOutput` that references a secret value.
 * Rules read the synthesized attributes (overrides included), so escape hatches cannot bypass them.
 */
export class GatehousePolicy implements IAspect {
  /** Aspects may run more than once (e.g. `Testing.synth` then `app.synth`); validate each node once. */
  private readonly visited = new WeakSet<IConstruct>();

  visit(node: IConstruct): void {
    if (this.visited.has(node)) return;
    this.visited.add(node);
    if (TerraformOutput.isTerraformOutput(node)) {
      node.node.addValidation(new OutputPolicyValidation(node));
      return;
    }
    if (!TerraformResource.isTerraformResource(node)) return;
    const rule = rules[node.terraformResourceType];
    if (rule) node.node.addValidation(new ResourcePolicyValidation(node, rule));
  }
}
