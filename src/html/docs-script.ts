/**
 * @module html/docs-script
 * The script of the API docs page (`<ROUTE_PREFIX_SCHEMA>/docs/`), served
 * from this origin as `docs.js`: it fetches the OpenAPI document named by
 * the page's `data-schema` and builds the page from it, grouped by tag.
 *
 * The document carries text from the settings (cookie and header names,
 * prefixes), so the script builds every node with `createElement` and
 * `append` (text nodes) and never parses document text as HTML; a test
 * keeps `innerHTML` and its kin out of it. It is plain browser JavaScript
 * kept in a string (so that the Worker, vitest and Deno serve it alike,
 * with no bundler rule), written without backticks or `${`.
 */
export const DOCS_SCRIPT = String.raw`'use strict';
(() => {
  const root = document.getElementById('docs');
  const status = document.getElementById('status');
  const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
  const FIELD_COLUMNS = ['field', 'type', 'required', 'max length', 'description'];
  let doc = {};

  /** An element with attributes and children; strings become text nodes. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  /** Text with its backtick spans as <code>, as the document's descriptions write them. */
  function inline(text) {
    return String(text || '')
      .split('\x60')
      .map((part, i) => (i % 2 === 1 ? el('code', {}, part) : part));
  }

  const slug = (text) => String(text).toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const refName = (schema) =>
    schema && typeof schema.$ref === 'string' ? schema.$ref.split('/').pop() : undefined;
  const components = (kind) => (doc.components && doc.components[kind]) || {};
  const resolve = (schema) =>
    refName(schema) ? components('schemas')[refName(schema)] || {} : schema || {};

  /** A schema in a few words: a component's name, a type, alternatives. */
  function typeOf(schema) {
    if (!schema || typeof schema !== 'object') return 'any';
    if (refName(schema)) return refName(schema);
    const alternatives = schema.anyOf || schema.oneOf;
    if (alternatives) return alternatives.map(typeOf).join(' | ');
    if ('const' in schema) return JSON.stringify(schema.const);
    if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
    if (schema.type === 'array') return 'array of ' + typeOf(schema.items);
    const type = [].concat(schema.type || 'any').join(' | ');
    return schema.format ? type + ' (' + schema.format + ')' : type;
  }

  function table(caption, head, rows) {
    return el(
      'table',
      {},
      caption ? el('caption', {}, caption) : null,
      el('thead', {}, el('tr', {}, head.map((name) => el('th', { scope: 'col' }, name)))),
      el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((cell) => el('td', {}, cell))))),
    );
  }

  /** One credential of a security requirement, as a client sends it. */
  function credential(name) {
    const scheme = components('securitySchemes')[name] || {};
    if (scheme.type === 'http' && scheme.scheme === 'bearer') {
      return 'Authorization: Bearer <' + (scheme.bearerFormat || 'token') + '>';
    }
    if (scheme.type === 'http') {
      return 'Authorization: ' + scheme.scheme.charAt(0).toUpperCase() + scheme.scheme.slice(1);
    }
    if (scheme.type === 'apiKey') return scheme.in + ' ' + scheme.name;
    return name;
  }

  function securityList(requirements) {
    const items = (requirements || []).map((requirement) => {
      const names = Object.keys(requirement);
      if (names.length === 0) return el('li', {}, 'none (anonymous requests too)');
      const parts = names.map((name, i) => [
        i > 0 ? ' + ' : '',
        el('code', {}, name),
        ' (',
        el('code', {}, credential(name)),
        ')',
      ]);
      return el('li', {}, parts);
    });
    return el('ul', { class: 'security' }, items);
  }

  function credentialsSection() {
    const schemes = Object.entries(components('securitySchemes'));
    const rows = schemes.map(([name, scheme]) => [
      el('code', {}, name),
      el('code', {}, credential(name)),
      inline(scheme.description),
    ]);
    return el(
      'section',
      { id: 'credentials', 'aria-labelledby': 'credentials-title' },
      el('h2', { id: 'credentials-title' }, 'Credentials'),
      el('p', {}, 'Each operation lists the credentials it takes; one line of its list suffices.'),
      table('Security schemes', ['scheme', 'sent as', 'what'], rows),
    );
  }

  function fieldRows(schema) {
    const required = new Set(schema.required || []);
    return Object.entries(schema.properties || {}).map(([name, field]) => [
      el('code', {}, name),
      typeOf(field),
      required.has(name) ? 'yes' : 'no',
      field.maxLength === undefined ? '' : String(field.maxLength),
      inline(field.description),
    ]);
  }

  function bodySection(body) {
    const content = body.content || {};
    const types = Object.keys(content);
    const schema = resolve((content[types[0]] || {}).schema);
    const alternatives = (schema.oneOf || schema.anyOf || []).filter((option) => option.required);
    return [
      el('h4', {}, 'Request body'),
      el('p', {}, 'As ', types.map((type, i) => [i > 0 ? ', ' : '', el('code', {}, type)]), '.'),
      alternatives.length > 0
        ? el('p', {}, 'Required: ' + alternatives.map((o) => o.required.join(' + ')).join(', or '))
        : null,
      inline(schema.description),
      table('Fields', FIELD_COLUMNS, fieldRows(schema)),
    ];
  }

  function responseRows(responses) {
    return Object.entries(responses || {}).map(([code, response]) => {
      const content = Object.entries(response.content || {});
      const bodies = content.map(([type, media]) => typeOf(media.schema) + ' (' + type + ')');
      const headers = Object.keys(response.headers || {}).join(', ');
      return [el('code', {}, code), inline(response.description), bodies.join('; '), headers];
    });
  }

  function operationArticle(path, method, op) {
    const params = (op.parameters || []).map(
      (p) => p.name + ' (' + p.in + ', ' + typeOf(p.schema) + ')',
    );
    const badge = el('span', { class: 'method method-' + method }, method.toUpperCase());
    return el(
      'article',
      { id: op.operationId, class: 'operation' },
      el('h3', {}, badge, ' ', el('code', {}, path)),
      el('p', { class: 'summary' }, inline(op.summary)),
      op.description ? el('p', {}, inline(op.description)) : null,
      el('h4', {}, 'Credentials'),
      securityList(op.security),
      params.length > 0
        ? [el('h4', {}, 'Path parameters'), el('ul', {}, params.map((p) => el('li', {}, p)))]
        : null,
      op.requestBody ? bodySection(op.requestBody) : null,
      el('h4', {}, 'Responses'),
      table(null, ['status', 'description', 'body', 'headers'], responseRows(op.responses)),
    );
  }

  /** Every operation of the document, by tag, in the document's order. */
  function byTag() {
    const groups = new Map((doc.tags || []).map((tag) => [tag.name, []]));
    for (const [path, item] of Object.entries(doc.paths || {})) {
      for (const method of METHODS.filter((name) => item[name])) {
        const tag = (item[method].tags || ['Other'])[0];
        if (!groups.has(tag)) groups.set(tag, []);
        groups.get(tag).push(operationArticle(path, method, item[method]));
      }
    }
    return [...groups].filter(([, articles]) => articles.length > 0);
  }

  function render() {
    const info = doc.info || {};
    const groups = byTag();
    const tagLinks = groups.map(([tag]) => ['tag-' + slug(tag), tag]);
    const links = [['credentials', 'Credentials'], ...tagLinks];
    const nav = el(
      'nav',
      { 'aria-label': 'Groups' },
      el('ul', {}, links.map(([id, text]) => el('li', {}, el('a', { href: '#' + id }, text)))),
    );
    const sections = groups.map(([tag, articles]) =>
      el('section', { id: 'tag-' + slug(tag) }, el('h2', {}, tag), articles),
    );
    root.querySelector('h1').textContent = (info.title || 'API') + ' ' + (info.version || '');
    const intro = el('p', {}, inline(info.description));
    status.replaceWith(intro, nav, credentialsSection(), ...sections);
  }

  async function load() {
    try {
      const headers = { Accept: 'application/json' };
      const response = await fetch(root.dataset.schema, { headers });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      doc = await response.json();
      render();
    } catch (error) {
      status.setAttribute('role', 'alert');
      status.textContent = 'The document could not be loaded (' + error.message + ').';
    }
  }

  load();
})();
`;
