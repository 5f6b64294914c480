/**
 * Whole-JSON checks shared by the AuthRuntime, AuthPlatform and stack tests: plaintext secrets and the resource graph.
 */

/** References to attributes that hold a secret value. */
const SECRET_REFERENCE =
  /\b(?:random_password\.[\w-]+\.result|azurerm_key_vault_secret\.[\w-]+\.value|azuread_application_password\.[\w-]+\.value|azurerm_redis_cache\.[\w-]+\.(?:primary|secondary)_(?:access_key|connection_string)|azurerm_container_registry_token_password\.[\w-]+\.password[12]\[0\]\.value)\b/;

/** The only places a secret reference may flow: into a Key Vault secret, the server it is the password of, the push. */
const SECRET_SINKS = [
  /^resource\.azurerm_key_vault_secret\.[\w-]+\.value$/,
  /^resource\.azurerm_postgresql_flexible_server\.[\w-]+\.administrator_password$/,
  /^resource\.docker_registry_image\.[\w-]+\.auth_config\.password$/,
];

/** Attribute names that would hold a secret if set literally. */
const SECRET_ATTRIBUTE =
  /(?:^|_)(?:password|secret|access_key|pepper)$|^resource\.azurerm_key_vault_secret\.[\w-]+\.value$/;
const NOT_SECRET_ATTRIBUTE = /(?:^|\.)(?:secret_name|key_vault_secret_id|name)$/;

/** Container env vars that carry a secret and must come from a Container App secret (a Key Vault reference). */
const SECRET_ENV = /(?:SECRET|KEY|PEPPER|PASSWORD|TOKEN)$|^REDIS_URL$/;

function walk(value: unknown, path: string, visit: (path: string, leaf: string) => void): void {
  if (typeof value === 'string') visit(path, value);
  else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      walk(item, `${path}[${index}]`, visit);
    });
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '//') continue;
      walk(child, path ? `${path}.${key}` : key, visit);
    }
  }
}

/**
 * Every place the synthesized JSON could expose a secret: a secret reference outside its sinks, a literal value in a
 * secret-named attribute, a container app secret with an inline value, or a secret env var set by value (a
 * `postgres://` URL counts unless it has no password).
 */
export function findPlaintextSecrets(json: unknown): string[] {
  const problems: string[] = [];
  walk(json, '', (path, leaf) => {
    const withoutIndexes = path.replace(/\[\d+\]/g, '');
    const reference = SECRET_REFERENCE.exec(leaf);
    if (reference && !SECRET_SINKS.some((sink) => sink.test(withoutIndexes))) {
      problems.push(`${path} references ${reference[0]}`);
    }
    const attribute = withoutIndexes.slice(withoutIndexes.lastIndexOf('.') + 1);
    if (
      (SECRET_ATTRIBUTE.test(attribute) || SECRET_ATTRIBUTE.test(withoutIndexes)) &&
      !NOT_SECRET_ATTRIBUTE.test(withoutIndexes) &&
      !leaf.includes('${') &&
      !/\.tags\./.test(withoutIndexes)
    ) {
      problems.push(`${path} is a literal in a secret attribute`);
    }
    if (/^postgres(?:ql)?:\/\/[^/@]*:[^/@]*@/.test(leaf) && !SECRET_SINKS[0].test(withoutIndexes)) {
      problems.push(`${path} holds a postgres URL with a password`);
    }
  });
  const apps = (json as { resource?: Record<string, Record<string, Record<string, unknown>>> }).resource
    ?.azurerm_container_app;
  for (const [name, app] of Object.entries(apps ?? {})) {
    for (const secret of (app.secret ?? []) as Array<Record<string, unknown>>) {
      if ('value' in secret) problems.push(`container app ${name} secret ${String(secret.name)} has an inline value`);
    }
    const containers = (app.template as { container: Array<{ env?: Array<Record<string, string>> }> }).container;
    for (const entry of containers.flatMap((container) => container.env ?? [])) {
      if (SECRET_ENV.test(entry.name) && entry.value !== undefined) {
        problems.push(`container app ${name} env ${entry.name} is set by value`);
      }
    }
  }
  return problems;
}

interface GraphJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
}

/** Resource address -> the addresses it depends on (references and `depends_on`). */
export function dependencyGraph(json: GraphJson): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const add = (prefix: string, blocks: GraphJson['resource']) => {
    for (const [type, byId] of Object.entries(blocks ?? {})) {
      for (const [id, block] of Object.entries(byId)) {
        const edges = new Set<string>();
        walk(block, '', (path, leaf) => {
          for (const match of leaf.matchAll(/\$\{[^}]*?\b((?:data\.)?[a-z0-9_]+\.[\w-]+)\.[a-z0-9_]/g)) {
            edges.add(match[1]);
          }
          if (/^depends_on/.test(path)) edges.add(leaf);
        });
        graph.set(`${prefix}${type}.${id}`, edges);
      }
    }
  };
  add('', json.resource);
  add('data.', json.data);
  return graph;
}

/** A dependency cycle as a list of addresses, or undefined when the graph is acyclic. */
export function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Whether `from` depends on `to`, directly or through other resources. */
export function dependsOn(graph: Map<string, Set<string>>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const pending = [from];
  while (pending.length > 0) {
    const node = pending.pop() as string;
    for (const next of graph.get(node) ?? []) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        pending.push(next);
      }
    }
  }
  return false;
}
