/* kg viz: the page's behaviour. It reads the graph from the JSON in #kg-data (written by
 * kg/viz/data.py), draws it with Cytoscape.js and fills the search, filters and details panels.
 * All text from the graph goes into the page as text (textContent), never as HTML; only http(s)
 * links are made clickable. window.kgViz exposes the state for tests and the benchmark. */
(function () {
  "use strict";

  var OVERVIEW_LIMIT = 150;   // nodes drawn at first when the graph is bigger: the most connected
  var CLAIM_NODE_LIMIT = 200; // claims drawn as nodes by default only up to this many
  var LIST_LIMIT = 25;        // items of a panel list shown before "show more"
  var EVIDENCE_LIMIT = 3;     // evidence sentences shown per relation before "more"
  var SEARCH_LIMIT = 20;

  var COLORS = {
    Person: "#4e79a7", Organization: "#f28e2b", Country: "#e15759", Place: "#59a14f",
    Agreement: "#b07aa1", Other: "#9d9d9d", Claim: "#edc948"
  };
  // relation -> [heading on the subject's panel, heading on the object's panel, edge label]
  var RELATIONS = {
    affiliatedWith: ["Affiliated with", "People and bodies affiliated with it", "affiliated with"],
    locatedIn: ["Located in", "Places in it", "located in"],
    visited: ["Visited", "Visited by", "visited"],
    metWith: ["Met with", "Met with", "met with"],
    party: ["Parties", "Party to", "party"],
    signedIn: ["Signed in", "Agreements signed here", "signed in"]
  };
  var FACTS = { holdsRole: "Roles", signedOn: "Signed on" };

  var t0 = performance.now();
  var DATA = JSON.parse(document.getElementById("kg-data").textContent);
  var N = DATA.nodes, E = DATA.edges, C = DATA.claims, A = DATA.articles;
  // readyMs: performance.now() when the first drawing is on screen; timings: ms per start-up step
  var api = window.kgViz = { ready: false, readyMs: null, data: DATA, cy: null, timings: { parse: performance.now() - t0 } };

  // ------------------------------------------------------------------ indexes
  function lists(n) { var out = []; for (var i = 0; i < n; i++) out.push([]); return out; }
  var edgesOf = lists(N.length), claimsBy = lists(N.length), claimsAbout = lists(N.length);
  var nodesIn = lists(A.length), edgesIn = lists(A.length), claimsIn = lists(A.length);
  E.forEach(function (e, i) {
    edgesOf[e.s].push(i);
    if (e.o !== e.s) edgesOf[e.o].push(i);
    e.articles.forEach(function (a) { edgesIn[a].push(i); });
  });
  C.forEach(function (c, i) {
    c.claimant.forEach(function (n) { claimsBy[n].push(i); });
    c.about.forEach(function (n) { claimsAbout[n].push(i); });
    c.articles.forEach(function (a) { claimsIn[a].push(i); });
  });
  N.forEach(function (n, i) { n.articles.forEach(function (a) { nodesIn[a].push(i); }); });
  var degree = N.map(function (n, i) { return edgesOf[i].length + claimsBy[i].length + claimsAbout[i].length; });
  var maxDegree = degree.reduce(function (m, d) { return d > m ? d : m; }, 1);
  // The overview's order: relations, each weighted by the articles that state it (so that a fact
  // reported often counts more than many one-article facts), then claims, then name.
  var weight = N.map(function (n, i) {
    return edgesOf[i].reduce(function (sum, k) { return sum + Math.max(1, E[k].articles.length); }, 0);
  });
  var byDegree = N.map(function (n, i) { return i; }).sort(function (a, b) {
    return weight[b] - weight[a] || degree[b] - degree[a] || a - b;
  });
  var searchKeys = N.map(function (n) {
    return [n.label].concat(n.alt || []).map(function (s) { return s.toLowerCase(); });
  });
  api.timings.index = performance.now() - t0 - api.timings.parse;

  function has(sorted, x) { // binary search in a sorted list of article positions
    var lo = 0, hi = sorted.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (sorted[mid] === x) return true;
      if (sorted[mid] < x) lo = mid + 1; else hi = mid - 1;
    }
    return false;
  }

  // ------------------------------------------------------------------ state and what to draw
  var big = N.length > OVERVIEW_LIMIT;
  var state = {
    classes: new Set(DATA.classes),
    relations: new Set(DATA.relations),
    article: -1,         // position in A, or -1 for all articles
    focus: -1,           // a node whose neighbourhood is drawn, or -1 for the overview
    all: false,          // draw every node that passes the filters
    claims: C.length > 0 && C.length <= CLAIM_NODE_LIMIT && !big,
    selected: null       // "n<i>", "c<i>" or null
  };

  function nodePasses(i) {
    return state.classes.has(N[i].class) && (state.article < 0 || has(N[i].articles, state.article));
  }
  function edgePasses(e) {
    if (!state.relations.has(E[e].p)) return false;
    if (!nodePasses(E[e].s) || !nodePasses(E[e].o)) return false;
    return state.article < 0 || E[e].articles.length === 0 || has(E[e].articles, state.article);
  }
  function claimPasses(k) { return state.article < 0 || has(C[k].articles, state.article); }

  function view() {
    var shown = new Set(), claims = [];
    var candidates = 0;
    if (state.focus >= 0) {
      shown.add(state.focus);
      edgesOf[state.focus].forEach(function (e) {
        if (edgePasses(e)) { shown.add(E[e].s); shown.add(E[e].o); }
      });
    } else {
      for (var j = 0; j < byDegree.length; j++) {
        var i = byDegree[j];
        if (!nodePasses(i)) continue;
        candidates++;
        if (state.all || shown.size < OVERVIEW_LIMIT) shown.add(i);
      }
    }
    if (state.claims) {
      var pool = state.focus >= 0 ? claimsBy[state.focus].concat(claimsAbout[state.focus]) : C.map(function (c, k) { return k; });
      var seen = new Set();
      pool.forEach(function (k) {
        if (seen.has(k) || !claimPasses(k)) return;
        seen.add(k);
        var ends = C[k].claimant.concat(C[k].about);
        if (state.focus >= 0) ends.forEach(function (n) { if (nodePasses(n)) shown.add(n); });
        if (ends.some(function (n) { return shown.has(n); })) claims.push(k);
      });
      if (!state.all) claims = claims.slice(0, CLAIM_NODE_LIMIT);
    }
    var edges = [];
    E.forEach(function (e, k) { if (shown.has(e.s) && shown.has(e.o) && edgePasses(k)) edges.push(k); });
    return { nodes: Array.from(shown), edges: edges, claims: claims, candidates: candidates };
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many || one + "s"); }
  function shorten(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }

  function elements(v) {
    var out = [];
    v.nodes.forEach(function (i) {
      out.push({ group: "nodes", data: { id: "n" + i, label: N[i].label, cls: N[i].class, deg: degree[i] } });
    });
    var shown = new Set(v.nodes);
    v.claims.forEach(function (k) {
      out.push({ group: "nodes", data: { id: "c" + k, label: shorten(C[k].text || "claim", 40), cls: "Claim", deg: 0 } });
      C[k].claimant.forEach(function (n) {
        if (shown.has(n)) out.push({ group: "edges", data: { id: "cc" + k + "-" + n, source: "n" + n, target: "c" + k, label: "claims", kind: "claim" } });
      });
      C[k].about.forEach(function (n) {
        if (shown.has(n)) out.push({ group: "edges", data: { id: "ca" + k + "-" + n, source: "c" + k, target: "n" + n, label: "about", kind: "claim" } });
      });
    });
    v.edges.forEach(function (k) {
      var e = E[k];
      out.push({ group: "edges", data: { id: "e" + k, source: "n" + e.s, target: "n" + e.o, label: RELATIONS[e.p][2], kind: e.p } });
    });
    return out;
  }

  // ------------------------------------------------------------------ the drawing
  var cy = api.cy = cytoscape({
    container: document.getElementById("graph"),
    minZoom: 0.05, maxZoom: 4,
    style: [
      { selector: "node", style: {
        "background-color": function (n) { return COLORS[n.data("cls")] || COLORS.Other; },
        "label": "data(label)", "font-size": 10, "color": "#1f2328",
        "text-valign": "bottom", "text-margin-y": 2, "min-zoomed-font-size": 5,
        "text-outline-color": "#fff", "text-outline-width": 1.5,
        "width": "mapData(deg, 0, " + maxDegree + ", 14, 44)", "height": "mapData(deg, 0, " + maxDegree + ", 14, 44)",
        "border-width": 1, "border-color": "rgba(0,0,0,.3)"
      } },
      { selector: "node[cls = 'Claim']", style: {
        "shape": "diamond", "width": 14, "height": 14, "font-size": 8, "color": "#6e5600",
        "text-wrap": "ellipsis", "text-max-width": 140
      } },
      { selector: "edge", style: {
        "width": 1.2, "line-color": "#a8b1bb", "curve-style": "bezier",
        "target-arrow-shape": "triangle", "target-arrow-color": "#a8b1bb", "arrow-scale": 0.7,
        "label": "data(label)", "font-size": 8, "color": "#57606a", "text-rotation": "autorotate",
        "text-background-color": "#fff", "text-background-opacity": 0.8, "text-background-padding": 1,
        "min-zoomed-font-size": 7
      } },
      { selector: "edge[kind = 'metWith']", style: { "target-arrow-shape": "none", "line-color": "#4e79a7" } },
      { selector: "edge[kind = 'claim']", style: { "line-style": "dashed", "line-color": "#d9c36a", "target-arrow-color": "#d9c36a" } },
      { selector: ":selected", style: { "border-width": 4, "border-color": "#0969da", "line-color": "#0969da", "z-index": 10 } }
    ]
  });

  function seeded(seed) { // mulberry32: a small deterministic random number generator
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6D2B79F5) >>> 0;
      var t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  function draw(then) {
    var v = view();
    cy.batch(function () {
      cy.elements().remove();
      cy.add(elements(v));
      // start positions from a fixed seed: the same page and view always give the same drawing
      var random = seeded(v.nodes.length), side = 40 * Math.sqrt(cy.nodes().length + 1);
      cy.nodes().forEach(function (n) { n.position({ x: random() * side, y: random() * side }); });
    });
    var layout = cy.layout({
      name: "cose", animate: false, randomize: false, fit: true, padding: 30,
      nodeRepulsion: function () { return 16000; }, idealEdgeLength: function () { return 90; },
      nodeOverlap: 20, componentSpacing: 60, gravity: 1, numIter: 1000, nodeDimensionsIncludeLabels: false
    });
    layout.one("layoutstop", function () {
      if (state.selected) {
        var el = cy.getElementById(state.selected);
        if (el.nonempty()) el.select();
      }
      showStatus(v);
      if (then) then();
    });
    layout.run();
  }

  function showStatus(v) {
    var text;
    if (!N.length) text = "The graph has no entities.";
    else if (state.focus >= 0) text = "Neighbourhood of " + N[state.focus].label + ": " + v.nodes.length + " entities";
    else if (v.nodes.length < v.candidates) text = "Showing the " + v.nodes.length + " most connected of " + v.candidates + " entities; search or click to explore";
    else text = "Showing " + v.nodes.length + " entities";
    text += ", " + v.edges.length + " relations" + (v.claims.length ? ", " + v.claims.length + " claims" : "");
    if (state.article >= 0) text += " · article: " + articleName(state.article);
    document.getElementById("status").textContent = text;
  }

  // ------------------------------------------------------------------ DOM helpers
  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) Object.keys(props).forEach(function (k) {
      if (k === "text") node.textContent = props[k];
      else if (k === "onclick") node.addEventListener("click", props[k]);
      else if (k === "className") node.className = props[k];
      else node.setAttribute(k, props[k]);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function safeUrl(url) { return /^https?:\/\//i.test(url || "") ? url : null; }
  function external(url, text) {
    return safeUrl(url) ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: text || url }) : el("span", { text: text || url });
  }
  function swatch(cls) { var s = el("span", { className: "swatch" }); s.style.background = COLORS[cls] || COLORS.Other; return s; }
  // a link inside the page: reachable with Tab, followed with Enter or a click
  function action(text, fn) {
    var link = el("span", { className: "link", role: "link", tabindex: "0", text: text, onclick: fn });
    link.addEventListener("keydown", function (ev) { if (ev.key === "Enter") fn(); });
    return link;
  }
  function entityLink(i) { return action(N[i].label, function () { select(i); }); }
  function articleName(a) { return A[a].title || A[a].identifier || A[a].iri; }
  function articleLink(a) {
    var text = articleName(a) + (A[a].date ? " (" + A[a].date + ")" : "");
    return action(text, function () { showArticle(a); });
  }
  // a list that shows `limit` items and a button for the rest
  function listOf(items, render, limit) {
    var ul = el("ul");
    limit = limit || LIST_LIMIT;
    function fill(upto) {
      ul.textContent = "";
      items.slice(0, upto).forEach(function (x) { ul.appendChild(el("li", null, [render(x)])); });
      if (items.length > upto) {
        ul.appendChild(el("li", null, [el("button", { className: "more", type: "button", text: "show " + (items.length - upto) + " more",
          onclick: function () { fill(items.length); } })]));
      }
    }
    fill(limit);
    return ul;
  }
  // a sentence and the articles it was read from (the first few, as links)
  function evidenceBlock(sentence, articles) {
    var box = el("blockquote", { className: "evidence" }, [sentence]);
    if (articles.length) {
      var source = el("span", { className: "source" }, ["— "]);
      articles.slice(0, EVIDENCE_LIMIT).forEach(function (a, j) { if (j) source.appendChild(document.createTextNode("; ")); source.appendChild(articleLink(a)); });
      if (articles.length > EVIDENCE_LIMIT) source.appendChild(document.createTextNode(" and " + (articles.length - EVIDENCE_LIMIT) + " more"));
      box.appendChild(source);
    }
    return box;
  }
  // [[article or null, sentence]…] -> [[sentence, [articles]]…]: a sentence repeated in several
  // articles is shown once
  function bySentence(evidence) {
    var out = [], at = {};
    evidence.forEach(function (p) {
      if (at[p[1]] === undefined) { at[p[1]] = out.length; out.push([p[1], []]); }
      if (p[0] !== null) out[at[p[1]]][1].push(p[0]);
    });
    return out;
  }
  function articleLinks(prefix, articles) {
    var line = el("div", { className: "who" }, [prefix]);
    articles.slice(0, EVIDENCE_LIMIT).forEach(function (a, j) { if (j) line.appendChild(document.createTextNode("; ")); line.appendChild(articleLink(a)); });
    if (articles.length > EVIDENCE_LIMIT) line.appendChild(document.createTextNode(" and " + (articles.length - EVIDENCE_LIMIT) + " more"));
    return line;
  }
  // the evidence of a relation or fact; without any, the articles that state it
  function evidenceList(evidence, articles) {
    var box = el("div"), sentences = bySentence(evidence);
    function add(e) { box.appendChild(evidenceBlock(e[0], e[1])); }
    sentences.slice(0, EVIDENCE_LIMIT).forEach(add);
    if (sentences.length > EVIDENCE_LIMIT) {
      box.appendChild(el("button", { className: "more", type: "button", text: (sentences.length - EVIDENCE_LIMIT) + " more sentences",
        onclick: function (ev) { ev.target.remove(); sentences.slice(EVIDENCE_LIMIT).forEach(add); } }));
    }
    if (!sentences.length && articles.length) box.appendChild(articleLinks("in ", articles));
    return box;
  }
  function kbLink(iri) {
    var m = /^https?:\/\/www\.wikidata\.org\/entity\/(Q\d+)$/.exec(iri);
    if (m) return external("https://www.wikidata.org/wiki/" + m[1], "Wikidata " + m[1]);
    m = /^https?:\/\/sws\.geonames\.org\/(\d+)\/?$/.exec(iri);
    if (m) return external("https://www.geonames.org/" + m[1], "GeoNames " + m[1]);
    return external(iri, iri);
  }
  // Claims with the same text and claimant (one story in several articles) are listed once.
  function claimGroups(ks) {
    var groups = [], at = {};
    ks.forEach(function (k) {
      var key = C[k].text + "\u0000" + C[k].claimant.join(",");
      if (at[key] === undefined) { at[key] = groups.length; groups.push([k]); } else groups[at[key]].push(k);
    });
    return groups;
  }
  // A claim (or a group of equal ones): text, claimant, topics, quantity, its evidence sentences
  // with their article (unless hideSource: the article panel), and the articles that report it.
  function claimCard(group, hideSource) {
    var c = C[group[0]];
    var who = c.claimant.length
      ? el("div", { className: "who" }, ["claimed by "].concat(joined(c.claimant)))
      : el("div", { className: "who", text: "no named source" });
    var card = el("div", { className: "claim" }, [el("div", { className: "text", text: "“" + c.text + "”" }), who]);
    if (c.about.length) card.appendChild(el("div", { className: "who" }, ["about "].concat(joined(c.about))));
    if (c.quantity !== undefined || c.quantityText !== undefined) {
      var qty = [c.quantityText, c.quantity !== undefined ? "(" + c.quantity + ")" : null].filter(Boolean).join(" ");
      card.appendChild(el("div", { className: "qty", text: "quantity: " + qty }));
    }
    var pairs = [];
    group.forEach(function (k) {
      (C[k].evidence || []).forEach(function (sentence) {
        if (!C[k].articles.length || hideSource) pairs.push([null, sentence]);
        C[k].articles.forEach(function (a) { if (!hideSource) pairs.push([a, sentence]); });
      });
    });
    var sentences = bySentence(pairs);
    sentences.forEach(function (e) { card.appendChild(evidenceBlock(e[0], e[1])); });
    if (!sentences.length && !hideSource) {
      var all = [];
      group.forEach(function (k) { all = all.concat(C[k].articles); });
      if (all.length) card.appendChild(articleLinks("— ", all));
    }
    return card;
  }
  function claimSection(title, ks, limit, hideSource) {
    if (!ks.length) return null;
    var groups = claimGroups(ks);
    return section(title + " (" + groups.length + ")", listOf(groups, function (g) { return claimCard(g, hideSource); }, limit));
  }
  function joined(nodes) {
    var out = [];
    nodes.forEach(function (n, j) { if (j) out.push(", "); out.push(entityLink(n)); });
    return out;
  }
  function panel(children) {
    var p = document.getElementById("panel");
    p.textContent = "";
    children.forEach(function (c) { if (c) p.appendChild(c); });
    p.scrollTop = 0;
  }
  function section(title, body) { return body ? el("section", null, [el("h3", { text: title }), body]) : null; }

  // ------------------------------------------------------------------ panels
  function showEntity(i) {
    var n = N[i], parts = [];
    parts.push(el("h2", { text: n.label }));
    parts.push(el("div", { className: "kind" }, [swatch(n.class), n.class]));
    if (n.alt) parts.push(el("div", { className: "muted", text: "Also: " + n.alt.join(", ") }));
    if (n.sameAs) parts.push(el("div", null, n.sameAs.map(function (iri) { return el("div", null, [kbLink(iri)]); })));
    parts.push(el("div", { className: "actions" }, [
      el("button", { type: "button", text: "Show its neighbourhood", onclick: function () { focus(i); } }),
      el("button", { type: "button", text: "Back to overview", onclick: overview })
    ]));
    var facts = {};
    (n.facts || []).forEach(function (f) { (facts[f.p] = facts[f.p] || []).push(f); });
    Object.keys(FACTS).forEach(function (p) {
      if (!facts[p]) return;
      parts.push(section(FACTS[p], listOf(facts[p], function (f) {
        return el("div", null, [el("strong", { text: f.value }), evidenceList(f.evidence, f.articles)]);
      })));
    });
    Object.keys(RELATIONS).forEach(function (p) {
      [0, 1].forEach(function (side) {
        var items = edgesOf[i].filter(function (k) {
          var e = E[k];
          if (e.p !== p) return false;
          if (p === "metWith") return side === 0;
          return side === 0 ? e.s === i : e.o === i && e.s !== i;
        });
        if (!items.length) return;
        parts.push(section(RELATIONS[p][side], listOf(items, function (k) {
          var e = E[k], other = e.s === i ? e.o : e.s;
          return el("div", null, [entityLink(other), evidenceList(e.evidence, e.articles)]);
        })));
      });
    });
    if (n.evidence) parts.push(section("Evidence", evidenceList(n.evidence, [])));
    var listed = new Set(claimsBy[i].concat(claimsAbout[i]));
    parts.push(claimSection("Claims by " + n.label, claimsBy[i]));
    parts.push(claimSection("Claims about " + n.label, claimsAbout[i].filter(function (k) { return claimsBy[i].indexOf(k) < 0; })));
    var context = [];
    n.articles.forEach(function (a) { claimsIn[a].forEach(function (k) { if (!listed.has(k)) { listed.add(k); context.push(k); } }); });
    parts.push(claimSection("Other claims in the articles that mention it", context, 10));
    if (n.articles.length) parts.push(section("Mentioned in " + plural(n.articles.length, "article"), listOf(n.articles, articleLink)));
    panel(parts);
  }

  function showClaim(k) {
    panel([el("h2", { text: "Claim" }), el("div", { className: "kind" }, [swatch("Claim"), "Claim"]), claimCard([k])]);
  }

  function showArticle(a) {
    var art = A[a], parts = [];
    parts.push(el("h2", { text: articleName(a) }));
    parts.push(el("div", { className: "kind", text: "Article" + (art.date ? " · " + art.date : "") }));
    if (art.url) parts.push(el("div", null, [external(art.url)]));
    if (art.identifier) parts.push(el("div", { className: "muted", text: "id: " + art.identifier }));
    parts.push(el("div", { className: "actions" }, [
      el("button", { type: "button", text: "Draw only this article", onclick: function () { setArticle(a); } }),
      el("button", { type: "button", text: "All articles", onclick: function () { setArticle(-1); } })
    ]));
    parts.push(el("div", { className: "muted", text: "Contributed " + plural(nodesIn[a].length, "entity", "entities") + ", " +
      plural(edgesIn[a].length, "relation") + ", " + plural(claimsIn[a].length, "claim") + "." }));
    DATA.classes.forEach(function (cls) {
      var items = nodesIn[a].filter(function (i) { return N[i].class === cls; });
      if (items.length) parts.push(section(cls + " (" + items.length + ")", listOf(items, entityLink)));
    });
    if (edgesIn[a].length) parts.push(section("Relations", listOf(edgesIn[a], function (k) {
      var e = E[k];
      var own = e.evidence.filter(function (p) { return p[0] === a; });
      return el("div", null, [entityLink(e.s), " " + RELATIONS[e.p][2] + " ", entityLink(e.o),
        own.length ? evidenceList(own, []) : null]);
    })));
    parts.push(claimSection("Claims", claimsIn[a], LIST_LIMIT, true));
    panel(parts);
  }

  // ------------------------------------------------------------------ actions
  function isDrawn(id) { return cy.getElementById(id).nonempty(); }
  function select(i) {
    state.selected = "n" + i;
    showEntity(i);
    if (!isDrawn("n" + i)) { state.focus = i; draw(); return; }
    cy.elements(":selected").unselect();
    var node = cy.getElementById("n" + i);
    node.select();
    var box = cy.extent(), at = node.position();
    if (at.x < box.x1 || at.x > box.x2 || at.y < box.y1 || at.y > box.y2) cy.center(node);
  }
  function focus(i) { state.focus = i; state.selected = "n" + i; draw(); }
  function overview() { state.focus = -1; state.all = false; draw(); }
  function setArticle(a) {
    state.article = a;
    document.getElementById("article-filter").value = a < 0 ? "" : String(a);
    draw();
  }
  api.select = select;
  api.find = function (text) { return search(text)[0]; };

  cy.on("tap", "node", function (ev) {
    var id = ev.target.id();
    state.selected = id;
    if (id[0] === "n") showEntity(+id.slice(1)); else showClaim(+id.slice(1));
  });

  // ------------------------------------------------------------------ search
  function search(text) {
    var q = text.trim().toLowerCase();
    if (!q) return [];
    var hits = [];
    searchKeys.forEach(function (keys, i) {
      var best = -1;
      keys.forEach(function (k, j) {
        var at = k.indexOf(q);
        if (at < 0) return;
        var score = (k === q ? 0 : at === 0 ? 1 : 2) * 2 + (j === 0 ? 0 : 1);
        if (best < 0 || score < best) best = score;
      });
      if (best >= 0) hits.push([best, -degree[i], i]);
    });
    hits.sort(function (x, y) { return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; });
    return hits.map(function (h) { return h[2]; });
  }
  var input = document.getElementById("search"), results = document.getElementById("results");
  var hits = [], active = 0;
  function showResults() {
    results.textContent = "";
    hits.slice(0, SEARCH_LIMIT).forEach(function (i, j) {
      var q = input.value.trim().toLowerCase();
      var alias = N[i].label.toLowerCase().indexOf(q) < 0 ? (N[i].alt || []).filter(function (s) { return s.toLowerCase().indexOf(q) >= 0; })[0] : null;
      var li = el("li", { role: "option", "data-node": String(i), className: j === active ? "active" : "" },
        [swatch(N[i].class), " " + N[i].label, alias ? el("span", { className: "alias", text: " (" + alias + ")" }) : null]);
      li.addEventListener("click", function () { pick(i); });
      results.appendChild(li);
    });
    if (input.value.trim() && !hits.length) results.appendChild(el("li", { className: "muted", text: "no match" }));
  }
  function pick(i) { results.textContent = ""; select(i); }
  input.addEventListener("input", function () { hits = search(input.value); active = 0; showResults(); });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      active = Math.max(0, Math.min(Math.min(hits.length, SEARCH_LIMIT) - 1, active + (ev.key === "ArrowDown" ? 1 : -1)));
      showResults(); ev.preventDefault();
    } else if (ev.key === "Enter") {
      hits = search(input.value);
      if (hits.length) pick(hits[Math.min(active, hits.length - 1)]);
      ev.preventDefault();
    } else if (ev.key === "Escape") { results.textContent = ""; }
  });

  // ------------------------------------------------------------------ filters
  function checkbox(label, cls, count, checked, onchange) {
    var box = el("input", { type: "checkbox" });
    box.checked = checked;
    box.addEventListener("change", function () { onchange(box.checked); });
    return el("label", { className: "check" }, [box, cls ? swatch(cls) : null, label, el("span", { className: "count", text: String(count) })]);
  }
  var classFilters = document.getElementById("class-filters");
  DATA.classes.forEach(function (cls) {
    var count = N.filter(function (n) { return n.class === cls; }).length;
    classFilters.appendChild(checkbox(cls, cls, count, true, function (on) {
      if (on) state.classes.add(cls); else state.classes.delete(cls);
      draw();
    }));
  });
  var relationFilters = document.getElementById("relation-filters");
  DATA.relations.forEach(function (p) {
    var count = E.filter(function (e) { return e.p === p; }).length;
    relationFilters.appendChild(checkbox(p, null, count, true, function (on) {
      if (on) state.relations.add(p); else state.relations.delete(p);
      draw();
    }));
  });
  var articleFilter = document.getElementById("article-filter");
  A.forEach(function (art, a) {
    articleFilter.appendChild(el("option", { value: String(a), text: (art.date ? art.date + " · " : "") + articleName(a) }));
  });
  articleFilter.addEventListener("change", function () {
    var a = articleFilter.value === "" ? -1 : +articleFilter.value;
    state.article = a;
    if (a >= 0) showArticle(a);
    draw();
  });
  var claimsBox = document.getElementById("claims-as-nodes");
  claimsBox.checked = state.claims;
  claimsBox.disabled = !C.length;
  claimsBox.addEventListener("change", function () { state.claims = claimsBox.checked; draw(); });
  document.getElementById("overview").addEventListener("click", overview);
  document.getElementById("show-all").addEventListener("click", function () { state.focus = -1; state.all = true; draw(); });
  document.getElementById("fit").addEventListener("click", function () { cy.fit(undefined, 30); });

  // ------------------------------------------------------------------ start
  document.getElementById("title").textContent = DATA.title || "kg graph";
  var t1 = performance.now();
  draw(function () {
    api.timings.draw = performance.now() - t1;
    requestAnimationFrame(function () {
      api.ready = true;
      api.readyMs = performance.now();
      document.body.setAttribute("data-ready", "true");
    });
  });
})();
