// The wallboard across several PBXes (nodes) projecting into one database:
// the node selector in the header and one line of KPIs per node under the
// totals, both from by_node of /api/stats over every node. With one node
// neither is shown and the board looks as it does for a single PBX.
// Loaded after wallboard_render.js (it uses its DOM helpers).
'use strict';

(function (board) {
  const { FormatKpi, selectedNode, state, $, El } = board;

  // The per-node line's figures, in this order, with their Uzbek words.
  const kNodeFigures = [
    ['offered', 'kelgan'],
    ['answered', 'javob'],
    ['abandoned', 'tashlab'],
    ['service_level', 'xizmat'],
  ];

  // The node names of `stats.by_node`, sorted, with the chosen node among
  // them even when it has no call in the period (the selector must show the
  // choice).
  function NodesOf(stats) {
    const names = new Set(Object.keys((stats && stats.by_node) || {}));
    if (selectedNode !== null) names.add(selectedNode);
    return Array.from(names).sort();
  }

  // Reloads the page for `node` ('' for every node), keeping the other URL
  // parameters.
  function Choose(node) {
    const params = new URLSearchParams(location.search);
    if (node) params.set('node', node);
    else params.delete('node');
    const query = params.toString();
    location.assign(location.pathname + (query ? '?' + query : ''));
  }

  function RenderSelector() {
    const box = $('node-choice');
    if (state.nodes.length < 2) {
      box.replaceChildren();
      box.hidden = true;
      return;
    }
    const select = El('select');
    select.dataset.nodeSelect = '';
    select.setAttribute('aria-label', 'Tugun (node)');
    const all = El('option', '', 'Hammasi');
    all.value = '';
    select.appendChild(all);
    for (const node of state.nodes) {
      const option = El('option', '', node);
      option.value = node;
      select.appendChild(option);
    }
    select.value = selectedNode || '';
    select.addEventListener('change', () => Choose(select.value));
    box.replaceChildren(El('span', 'node-word', 'Tugun '), El('span', 'hint', 'node'), select);
    box.hidden = false;
  }

  function NodeLine(node, figures) {
    const line = El('div', 'dir-line');
    line.dataset.nodeKpi = node;
    line.appendChild(El('span', 'node-label', node));
    for (const [key, word] of kNodeFigures) {
      const value = figures[key];
      const b = El('b', '', FormatKpi(key, value));
      b.dataset.key = key;
      b.dataset.value = value === undefined ? 'null' : JSON.stringify(value);
      const part = El('span', '', word + ' ');
      part.appendChild(b);
      line.appendChild(part);
    }
    return line;
  }

  // One line per node while every node is shown and there are several.
  function RenderNodeKpis(stats) {
    const section = $('by-node');
    const byNode = (stats && stats.by_node) || {};
    const shown = selectedNode === null && state.nodes.length > 1;
    section.replaceChildren(...(shown ? state.nodes.map((n) => NodeLine(n, byNode[n] || {})) : []));
    section.hidden = !shown;
  }

  // From /api/stats over every node. Returns whether the board's labels
  // changed (from one node to several or back), so that the lists are
  // rendered again.
  function RenderNodes(allStats) {
    const labelledBefore = board.ShowNodeLabels();
    state.nodes = NodesOf(allStats);
    RenderSelector();
    RenderNodeKpis(allStats);
    return board.ShowNodeLabels() !== labelledBefore;
  }

  Object.assign(board, { RenderNodes });
})(window.WallboardParts);
