// The package pages: the searchable list, one package (README, versions, install, score with its
// evidence, capabilities, dependencies, dependents, "used together with"), and a comparison.
import { CAPABILITIES, type QualityScore, type SubScoreName } from '@packr/scoring'
import { scopeOf } from '../../npm/names.ts'
import { html, httpUrl, trusted, type SafeHtml } from '../../web/html.ts'
import { layout, type Chrome } from '../../web/layout.ts'
import { count, date, packageHref, packageLink, pager, scoreBadge, snippet } from '../components.ts'
import { capabilityLabel, PAGE_SIZE, type ListQuery, type PackageComparison, type PackageDetail, type PackageList } from './service.ts'

const SUB_SCORES: Array<[SubScoreName, string]> = [
  ['quality', 'Quality'],
  ['maintenance', 'Maintenance'],
  ['supplyChain', 'Supply chain'],
  ['popularity', 'Popularity'],
]

const CATEGORIES = [...new Set(CAPABILITIES.map((capability) => capability.category))]

function searchForm(query: ListQuery, scopes: string[]): SafeHtml {
  const scope = query.scope?.replace(/^@/, '')
  return html`<form role="search" method="get" action="/-/web/packages" class="search">
<div><label for="q">Search</label><input id="q" name="q" type="search" value="${query.q}" placeholder="http client, jwt, scope:acme …"></div>
<div><label for="scope">Scope</label><select id="scope" name="scope"><option value="">All scopes</option>${scopes.map(
    (candidate) => html`<option value="${candidate}"${candidate === scope ? html` selected` : ''}>@${candidate}</option>`,
  )}</select></div>
<div><label for="capability">Capability</label><select id="capability" name="capability"><option value="">Any capability</option>${CATEGORIES.map(
    (category) =>
      html`<optgroup label="${category}">${CAPABILITIES.filter((capability) => capability.category === category).map(
        (capability) => html`<option value="${capability.id}"${capability.id === query.capability ? html` selected` : ''}>${capability.label}</option>`,
      )}</optgroup>`,
  )}</select></div>
<div class="actions"><button class="primary" type="submit" id="search-submit">Search</button></div></form>`
}

const capabilityTags = (ids: readonly string[]) => (ids.length > 0 ? html`<ul class="tags" aria-label="Capabilities">${ids.map((id) => html`<li>${capabilityLabel(id)}</li>`)}</ul>` : '')

export function listPage(chrome: Chrome, query: ListQuery, list: PackageList): string {
  const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE))
  return layout({
    title: query.q ? `Packages matching ${query.q}` : 'Packages',
    chrome: { ...chrome, active: 'packages' },
    main: html`<h1>Packages</h1>${searchForm(query, list.scopes)}
<p id="result-count" role="status">${count(list.total)} ${list.total === 1 ? 'package' : 'packages'}${query.q ? html` matching “${query.q}”` : ''}</p>
<ul class="results" id="results">${list.items.map(
      (item) => html`<li><h2>${packageLink(item.name)} ${scoreBadge(item.score)}</h2>
<p class="muted small">${item.version} · published ${date(item.date)}${item.deprecated ? html` · <strong class="error">deprecated</strong>` : ''}</p>
${item.description ? html`<p>${item.description}</p>` : ''}${capabilityTags(item.capabilities)}</li>`,
    )}</ul>
${pager('/-/web/packages', { q: query.q, scope: query.scope, capability: query.capability }, query.page, pages)}`,
  })
}

function installSection(detail: PackageDetail, registryUrl: string): SafeHtml {
  const { name } = detail
  const scope = scopeOf(name)
  const id = (client: string) => `install-${client}`
  return html`<section aria-labelledby="install-heading"><h2 id="install-heading">Install</h2>
${snippet(id('npm'), 'npm', `npm install ${name}`)}${snippet(id('pnpm'), 'pnpm', `pnpm add ${name}`)}${snippet(id('yarn'), 'yarn', `yarn add ${name}`)}${snippet(id('bun'), 'bun', `bun add ${name}`)}
<p class="hint">Point the client at this registry first:</p>
${snippet('configure', 'npm', scope ? `npm config set ${scope}:registry ${registryUrl}/` : `npm config set registry ${registryUrl}/`)}</section>`
}

function aboutSection(detail: PackageDetail): SafeHtml {
  const { listing } = detail
  const links = (['homepage', 'repository', 'bugs'] as const).map((kind) => [kind, httpUrl(listing.links[kind])] as const).filter(([, url]) => url !== null)
  return html`<section aria-labelledby="about-heading"><h2 id="about-heading">About</h2><dl class="facts">
<dt>Latest</dt><dd>${detail.latest.version}</dd><dt>Published</dt><dd>${date(detail.latest.publishedAt)}</dd>
<dt>License</dt><dd>${detail.license ?? 'none declared'}</dd><dt>Downloads</dt><dd id="downloads-30">${count(detail.downloads30Days)} in 30 days</dd>
${listing.maintainers.length > 0 ? html`<dt>Maintainers</dt><dd>${listing.maintainers.map((maintainer) => maintainer.username).join(', ')}</dd>` : ''}
${links.map(([kind, url]) => html`<dt>${kind[0]?.toUpperCase()}${kind.slice(1)}</dt><dd><a href="${url}" rel="nofollow noopener noreferrer">${url}</a></dd>`)}
</dl>${listing.keywords.length > 0 ? html`<ul class="tags" aria-label="Keywords">${listing.keywords.map((keyword) => html`<li>${keyword}</li>`)}</ul>` : ''}
<h3>Dist-tags</h3><dl class="facts" id="dist-tags">${Object.entries(detail.distTags).map(([tag, version]) => html`<dt>${tag}</dt><dd>${version}</dd>`)}</dl></section>`
}

function scoreSection(score: QualityScore | undefined, detail: PackageDetail): SafeHtml {
  const heading = html`<h2 id="score-heading">Quality score</h2>`
  if (!score) {
    const rejected = detail.analysis?.status === 'rejected' ? detail.analysis.reason : null
    return html`<section id="score" aria-labelledby="score-heading">${heading}<p id="score-pending">${
      rejected ? `The tarball of ${detail.latest.version} could not be analysed (${rejected}).` : `The analysis of ${detail.latest.version} has not finished yet; the score appears when it has.`
    }</p></section>`
  }
  return html`<section id="score" aria-labelledby="score-heading">${heading}
<p>${scoreBadge(score.final, 'score-final')} out of 100 for ${detail.latest.version}${score.uncapped !== score.final ? html` (${score.uncapped} before the caps below)` : ''}.</p>
${score.caps.map((cap) => html`<p class="notice danger">Capped at ${cap.limit}: ${cap.reason}</p>`)}
<div class="table"><table id="sub-scores"><caption class="sr-only">Sub-scores</caption><thead><tr><th scope="col">Part</th><th scope="col" class="num">Points</th><th scope="col">Share</th></tr></thead><tbody>${SUB_SCORES.map(
    ([id, label]) => {
      const sub = score.subScores[id]
      return html`<tr><th scope="row">${label}</th><td class="num">${round(sub.points)} / ${sub.maxPoints}</td><td><meter min="0" max="1" value="${sub.ratio}">${Math.round(sub.ratio * 100)}%</meter></td></tr>`
    },
  )}</tbody></table></div>
<h3>Every factor and its evidence</h3>
<div class="table"><table id="factors"><thead><tr><th scope="col">Factor</th><th scope="col" class="num">Points</th><th scope="col">Evidence</th></tr></thead>${SUB_SCORES.map(
    ([id, label]) => html`<tbody><tr><th colspan="3" scope="colgroup">${label}</th></tr>${score.factors
      .filter((factor) => factor.subScore === id)
      .map(
        (factor) =>
          html`<tr id="factor-${factor.id}"><td>${factor.label}</td><td class="num">${round(factor.points)} / ${factor.maxPoints}</td><td>${factor.evidence}</td></tr>`,
      )}</tbody>`,
  )}</table></div></section>`
}

const round = (value: number) => Math.round(value * 10) / 10

function capabilitiesSection(detail: PackageDetail): SafeHtml {
  return html`<section id="capabilities" aria-labelledby="capabilities-heading"><h2 id="capabilities-heading">Capabilities</h2>${
    detail.capabilities.length === 0
      ? html`<p class="muted">None recognised${detail.analysis ? '' : ' yet'}.</p>`
      : html`<ul>${detail.capabilities.map(
          (capability) =>
            html`<li><a href="/-/web/packages?capability=${encodeURIComponent(capability.id)}">${capability.label}</a> <span class="muted small">(${Math.round(capability.confidence * 100)}% confident: ${capability.evidence
              .map((evidence) => `${evidence.source} “${evidence.matched}”`)
              .join(', ')})</span></li>`,
        )}</ul>`
  }</section>`
}

function versionsSection(detail: PackageDetail): SafeHtml {
  return html`<section id="versions" aria-labelledby="versions-heading"><h2 id="versions-heading">Versions (${detail.versions.length})</h2>
<div class="table"><table id="versions-table"><thead><tr><th scope="col">Version</th><th scope="col">Published</th><th scope="col">Tags</th><th scope="col">Deprecated</th></tr></thead><tbody>${detail.versions.map(
    (version) =>
      html`<tr><td>${version.version}</td><td>${date(version.publishedAt)}</td><td>${version.tags.join(', ')}</td><td>${version.deprecated ? html`<span class="error">${version.deprecated}</span>` : ''}</td></tr>`,
  )}</tbody></table></div></section>`
}

function dependenciesSection(detail: PackageDetail): SafeHtml {
  return html`<section id="dependencies" aria-labelledby="dependencies-heading"><h2 id="dependencies-heading">Dependencies (${detail.dependencies.length})</h2>${
    detail.dependencies.length === 0
      ? html`<p class="muted">None.</p>`
      : html`<ul>${detail.dependencies.map(
          (dependency) =>
            html`<li>${dependency.known ? packageLink(dependency.name) : dependency.name} <code>${dependency.range}</code>${dependency.kind === 'dependency' ? '' : html` <span class="muted small">(${dependency.kind})</span>`}</li>`,
        )}</ul>`
  }
<h2 id="dependents-heading">Dependents (${detail.dependents.total})</h2>${
    detail.dependents.total === 0
      ? html`<p class="muted">No package in this registry depends on it.</p>`
      : html`<ul id="dependents">${detail.dependents.names.map((name) => html`<li>${packageLink(name)}</li>`)}</ul>${
          detail.dependents.total > detail.dependents.names.length ? html`<p class="muted">and ${count(detail.dependents.total - detail.dependents.names.length)} more.</p>` : ''
        }`
  }</section>`
}

function relatedSection(detail: PackageDetail): SafeHtml {
  const compareWith = detail.related.slice(0, 3).map((item) => item.name)
  return html`<section id="related" aria-labelledby="related-heading"><h2 id="related-heading">Used together with</h2>${
    detail.related.length === 0
      ? html`<p class="muted">Not enough packages here use it yet to tell.</p>`
      : html`<ul id="related-list">${detail.related.map(
          (item) => html`<li>${packageLink(item.name)} <span class="muted small">(${count(item.together)} ${item.together === 1 ? 'package uses' : 'packages use'} both${item.relation === 'association' ? '' : `; ${item.relation}`})</span></li>`,
        )}</ul>`
  }
<h2 id="compare-heading">Compare</h2>
<form method="get" action="/-/web/compare"><label for="compare-packages">Compare ${detail.name} with</label><p class="hint" id="compare-hint">Up to four package names, separated by commas or spaces.</p>
<input id="compare-packages" name="with" aria-describedby="compare-hint" value="${compareWith.join(', ')}"><input type="hidden" name="packages" value="${detail.name}"><button type="submit" id="compare-submit">Compare</button></form></section>`
}

export function packagePage(chrome: Chrome, detail: PackageDetail, registryUrl: string): string {
  const deprecated = detail.latest.deprecated
  return layout({
    title: detail.name,
    chrome: { ...chrome, active: 'packages' },
    scripts: true,
    main: html`<h1 id="package-name">${detail.name}</h1>
<p class="muted">${detail.latest.version} · published ${date(detail.latest.publishedAt)} · ${scoreBadge(detail.score?.final ?? null)}</p>
${detail.listing.description ? html`<p id="description">${detail.listing.description}</p>` : ''}
${deprecated ? html`<p class="notice danger" id="deprecated" role="note"><strong>Deprecated:</strong> ${deprecated}</p>` : ''}
${capabilityTags(detail.capabilities.map((capability) => capability.id))}
<nav aria-label="On this page"><ul class="tags"><li><a href="#readme-heading">README</a></li><li><a href="#score">Score</a></li><li><a href="#capabilities">Capabilities</a></li><li><a href="#versions">Versions</a></li><li><a href="#dependencies">Dependencies</a></li><li><a href="#related">Used together</a></li></ul></nav>
<div class="grid"><div>
<section aria-labelledby="readme-heading"><h2 id="readme-heading">README</h2>${
      detail.readme
        ? html`<article class="readme" id="readme">${trusted(detail.readme.html)}</article>${detail.readme.truncated ? html`<p class="muted">The README is longer; only its beginning is shown.</p>` : ''}`
        : html`<p class="muted">This version has no README.</p>`
    }</section>
${scoreSection(detail.score, detail)}${capabilitiesSection(detail)}${versionsSection(detail)}</div>
<div>${installSection(detail, registryUrl)}${aboutSection(detail)}${dependenciesSection(detail)}${relatedSection(detail)}</div></div>`,
  })
}

export function comparePage(chrome: Chrome, names: string[], result: PackageComparison): string {
  const { comparison } = result
  const packages = comparison?.packages ?? []
  const row = (label: string, cell: (item: (typeof packages)[number]) => SafeHtml | string | number) =>
    html`<tr><th scope="row">${label}</th>${packages.map((item) => html`<td>${cell(item)}</td>`)}</tr>`
  return layout({
    title: 'Compare packages',
    chrome: { ...chrome, active: 'packages' },
    main: html`<h1>Compare packages</h1>
<form method="get" action="/-/web/compare"><label for="packages">Packages</label><p class="hint" id="packages-hint">Two to five names, separated by commas or spaces.</p>
<input id="packages" name="packages" aria-describedby="packages-hint" value="${names.join(', ')}"><button class="primary" type="submit">Compare</button></form>
${result.missing.map((item) => html`<p class="notice warn">${item.name}: ${item.reason}</p>`)}
${
  comparison
    ? html`<section aria-labelledby="pick-heading"><h2 id="pick-heading">Recommendation</h2><p id="pick">${comparison.pick ? html`Pick <strong>${packageLink(comparison.pick)}</strong>.` : 'No package qualifies.'}</p>
<ul id="reasons">${comparison.reasons.map((reason) => html`<li>${reason}</li>`)}</ul></section>
<div class="table"><table id="comparison"><thead><tr><th scope="col">Package</th>${packages.map((item) => html`<th scope="col"><a href="${packageHref(item.name)}">${item.name}</a></th>`)}</tr></thead><tbody>
${row('Score', (item) => scoreBadge(item.score))}
${SUB_SCORES.map(([id, label]) => row(label, (item) => `${Math.round(item.subScores[id] * 100)}%`))}
${row('Version', (item) => item.version ?? '')}
${row('Types', (item) => item.types)}
${row('Module format', (item) => item.moduleFormat ?? '')}
${row('Dependencies', (item) => item.dependencies ?? '')}
${row('Unpacked size', (item) => (item.unpackedSize === null ? '' : `${count(Math.round(item.unpackedSize / 1024))} KB`))}
${row('Days since release', (item) => item.daysSinceRelease ?? '')}
${row('Downloads (30 days)', (item) => count(item.downloads30Days))}
${row('License', (item) => item.license ?? 'none')}
${row('Capabilities', (item) => item.capabilities.map(capabilityLabel).join(', '))}
${row('Ruled out', (item) => item.disqualified.join('; '))}
</tbody></table></div>`
    : html`<p>Name at least two analysed packages to compare them.</p>`
}`,
  })
}
