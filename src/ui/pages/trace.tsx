// Trace: the run as a waterfall and a tree (kinds coloured, subagents nested and collapsible, failures
// marked), and the selected operation in full: messages, tool arguments and results, raw attributes.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Loaded, useLoad } from '../components/states.js';
import { int, ms, time, usd } from '../format.js';
import { href, navigate, type Route } from '../route.js';
import type { TraceAnswer, TreeNode } from '../types.js';

const FOLD = 600;

function walk(nodes: TreeNode[], out: TreeNode[] = []): TreeNode[] {
  for (const n of nodes) {
    out.push(n);
    walk(n.children, out);
  }
  return out;
}

/** Long text shown folded, unfolded on demand. */
function Text({ text, label }: { text: string; label: string }) {
  if (text.length <= FOLD) return <pre aria-label={label}>{text}</pre>;
  return (
    <details>
      <summary>
        {label}: {text.slice(0, 120).replace(/\s+/g, ' ')}… ({int(text.length)} characters)
      </summary>
      <pre aria-label={label}>{text}</pre>
    </details>
  );
}

function pretty(s: string): string {
  try {
    return JSON.stringify(JSON.parse(s), null, 2);
  } catch {
    return s;
  }
}

function Node({ node, traceId, selected, depth }: { node: TreeNode; traceId: string; selected: string; depth: number }) {
  const [open, setOpen] = useState(depth < 4);
  const name = node.tool?.name ?? node.name;
  return (
    <li>
      {node.children.length ? (
        <button type="button" class="toggle" aria-expanded={open} aria-label={`${open ? 'Collapse' : 'Expand'} ${node.kind} ${name}`} onClick={() => setOpen(!open)}>
          {open ? '▾' : '▸'}
        </button>
      ) : (
        <span class="toggle-space" />
      )}
      <span class={`node kind-${node.kind}${node.span_id === selected ? ' selected' : ''}${node.failures.length ? ' failed' : ''}`} id={`op-${node.span_id}`}>
        <span class="kind">{node.kind}</span>{' '}
        <a href={href('trace', traceId, { span: node.span_id })} aria-current={node.span_id === selected ? 'true' : undefined}>
          {name}
        </a>{' '}
        <span class="dur">{ms(node.duration_ms)}</span>
        {node.status === 'error' && <span class="err-badge">error</span>}
        {node.failures.map((f) => (
          <span class={`mode sev-${f.severity}`} title={f.evidence}>
            {f.mode}
          </span>
        ))}
        {node.compaction && (
          <span class="compaction">
            compaction {node.compaction.tokens_before ?? '?'} → {node.compaction.tokens_after ?? '?'} tokens
          </span>
        )}
      </span>
      {node.children.length > 0 && open && (
        <ul>
          {node.children.map((c) => (
            <Node node={c} traceId={traceId} selected={selected} depth={depth + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}

function Waterfall({ all, traceId, selected }: { all: TreeNode[]; traceId: string; selected: string }) {
  const t0 = Math.min(...all.map((n) => Date.parse(n.start)));
  const t1 = Math.max(...all.map((n) => Math.max(Date.parse(n.end), Date.parse(n.start))));
  const span = Math.max(1, t1 - t0);
  return (
    <ul class="waterfall" aria-label="Waterfall">
      {all.map((n) => {
        const left = ((Date.parse(n.start) - t0) / span) * 100;
        const width = Math.max(0.4, (Math.max(0, n.duration_ms) / span) * 100);
        return (
          <li>
          <a class={`wf-row${n.span_id === selected ? ' selected' : ''}`} href={href('trace', traceId, { span: n.span_id })}>
            <span class="wf-label" style={{ paddingLeft: `${n.agent.depth * 12}px` }}>
              {n.tool?.name ?? n.name}
            </span>
            <span class="wf-track">
              <span class={`wf-bar kind-${n.kind}${n.failures.length ? ' failed' : ''}`} style={{ left: `${left}%`, width: `${Math.min(width, 100 - left)}%` }} />
            </span>
          </a>
          </li>
        );
      })}
    </ul>
  );
}

function Messages({ list, label }: { list: unknown[]; label: string }) {
  return (
    <div class="messages">
      <h3>{label}</h3>
      {list.map((m, i) => {
        const msg = m as { role?: string; parts?: { type: string; text?: string; content?: string; name?: string; arguments?: string }[] };
        const text = (msg.parts ?? [])
          .map((p) => (p.type === 'tool_call' ? `→ ${p.name}(${p.arguments ?? ''})` : p.type === 'tool_result' ? `← ${p.content ?? ''}` : (p.text ?? p.content ?? `[${p.type}]`)))
          .join('\n');
        return (
          <div class={`msg role-${msg.role}`}>
            <span class="role">{msg.role}</span>
            <Text text={text || JSON.stringify(m)} label={`${label} ${i + 1} (${msg.role})`} />
          </div>
        );
      })}
    </div>
  );
}

function Detail({ node, traceId }: { node: TreeNode; traceId: string }) {
  const [raw, setRaw] = useState<unknown>(null);
  const [rawError, setRawError] = useState<string | null>(null);
  const showRaw = () =>
    api<TraceAnswer>(`/api/v1/traces/${traceId}`, { raw: '1' }).then(
      (t) => {
        for (const rs of (t.raw?.resourceSpans ?? []) as { scopeSpans?: { spans?: { spanId?: string }[] }[] }[])
          for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) if (s.spanId === node.span_id) return setRaw(s);
        setRawError('No raw span with this id: the operation was built from log events only.');
      },
      (e: Error) => setRawError(e.message),
    );
  return (
    <aside class="detail" aria-label="Selected operation">
      <h2>
        {node.kind}: {node.tool?.name ?? node.name}
      </h2>
      <dl class="kv">
        <dt>Start</dt>
        <dd>{time(node.start)}</dd>
        <dt>Duration</dt>
        <dd>{ms(node.duration_ms)}</dd>
        <dt>Agent</dt>
        <dd>{node.agent.name || '(unnamed)'}</dd>
        {node.model && (
          <>
            <dt>Model</dt>
            <dd>{node.model.response || node.model.request}</dd>
          </>
        )}
        {node.usage && (
          <>
            <dt>Tokens in / out</dt>
            <dd>
              {node.usage.input_tokens ?? '–'} / {node.usage.output_tokens ?? '–'}
            </dd>
            <dt>Cost</dt>
            <dd>{usd(node.usage.cost_usd)}</dd>
          </>
        )}
        {node.compaction && (
          <>
            <dt>Compaction</dt>
            <dd>
              {node.compaction.trigger}: {node.compaction.tokens_before ?? '?'} → {node.compaction.tokens_after ?? '?'} tokens{node.compaction.estimated ? ' (estimated)' : ''}
            </dd>
          </>
        )}
      </dl>
      {node.failures.map((f) => (
        <div class={`failure sev-${f.severity}`} role="note">
          <strong>{f.mode}</strong> ({f.severity}, {f.detector}): {f.evidence}
        </div>
      ))}
      {node.error && (
        <div class="error-text">
          <h3>Error</h3>
          <Text text={`${node.error.type ? `${node.error.type}: ` : ''}${node.error.message}`} label="Error" />
        </div>
      )}
      {node.tool && (
        <>
          <h3>Arguments</h3>
          <Text text={pretty(node.tool.arguments)} label="Arguments" />
          <h3>Result</h3>
          <Text text={node.tool.result || '(none recorded)'} label="Result" />
        </>
      )}
      {node.input_messages?.length ? <Messages list={node.input_messages} label="Input messages" /> : null}
      {node.output_messages?.length ? <Messages list={node.output_messages} label="Output messages" /> : null}
      <h3>Raw span</h3>
      {raw ? <pre>{JSON.stringify(raw, null, 2)}</pre> : <button type="button" onClick={showRaw}>Show raw attributes</button>}
      {rawError && <p class="note">{rawError}</p>}
    </aside>
  );
}

export function Trace({ route }: { route: Route }) {
  const load = useLoad(() => api<TraceAnswer>(`/api/v1/traces/${encodeURIComponent(route.arg)}`), [route.arg]);
  const selected = route.params.get('span') ?? '';
  return (
    <section aria-labelledby="trace-title">
      <h1 id="trace-title">
        Trace <code>{route.arg}</code>
      </h1>
      <Loaded
        load={load}
        what="the trace"
        ok={(t) => {
          const all = walk(t.tree);
          const node = all.find((n) => n.span_id === selected) ?? all.find((n) => n.failures.length) ?? all[0];
          const s = t.summary;
          return (
            <>
              <p class="summary">
                {s.agent || s.root_name} · {s.service} · {time(s.start)} · {ms(s.duration_ms)} · {s.llm_calls} LLM calls · {s.tool_calls} tool calls · {s.subagents} subagents · {s.errors} errors
                {s.session_id && (
                  <>
                    {' '}
                    · session <a href={href('session', s.session_id)}>{s.session_id}</a>
                  </>
                )}
              </p>
              {t.failures.length > 0 && (
                <ul class="trace-failures" aria-label="Failures in this trace">
                  {t.failures.map((f) => (
                    <li>
                      <a href={href('trace', t.trace_id, { span: f.span_id })} onClick={() => navigate('trace', t.trace_id, { span: f.span_id })}>
                        <span class={`mode sev-${f.severity}`}>{f.mode}</span>
                      </a>{' '}
                      {f.evidence}
                    </li>
                  ))}
                </ul>
              )}
              <div class="trace-layout">
                <div>
                  <h2>Tree</h2>
                  <ul class="tree">
                    {t.tree.map((n) => (
                      <Node node={n} traceId={t.trace_id} selected={node?.span_id ?? ''} depth={0} />
                    ))}
                  </ul>
                  <h2>Waterfall</h2>
                  <Waterfall all={all} traceId={t.trace_id} selected={node?.span_id ?? ''} />
                </div>
                {node && <Detail node={node} traceId={t.trace_id} />}
              </div>
            </>
          );
        }}
      />
    </section>
  );
}
