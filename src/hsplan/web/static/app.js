/* hsplan dashboard: charts (ECharts) and maps (Leaflet) drawn from /api/v1.
   No tiles and no request outside this server: every layer comes from the project. */
"use strict";
var hsplan = (function () {
  var SEQ = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];
  var BLUES = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  var FACILITY_COLOURS = {"医院": "#c62828", "基层医疗卫生机构": "#1565c0",
    "专业公共卫生机构": "#6a1b9a", "其他": "#616161"};

  function getJSON(url) {
    return fetch(url, {headers: {"Accept": "application/json"}}).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error(url + ": " + JSON.stringify(body.errors || body)); }
        return body;
      });
    });
  }
  function fmt(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) { return "—"; }
    if (Math.abs(v) >= 1000) { return Math.round(v).toLocaleString("zh-CN"); }
    return Number(v).toFixed(digits === undefined ? 2 : digits);
  }
  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  /* class breaks: up to 5 equal-count classes over the values */
  function breaks(values) {
    var v = values.filter(function (x) { return x !== null && x !== undefined; })
      .sort(function (a, b) { return a - b; });
    if (!v.length) { return []; }
    var out = [];
    for (var i = 1; i < 5; i++) { out.push(v[Math.min(v.length - 1, Math.floor(i * v.length / 5))]); }
    return out.filter(function (x, i, a) { return a.indexOf(x) === i; });
  }
  function classOf(value, br) {
    var k = 0;
    while (k < br.length && value >= br[k]) { k++; }
    return Math.min(k, 4);
  }
  function baseMap(id) {
    return L.map(id, {attributionControl: false, zoomSnap: 0.25, preferCanvas: false});
  }

  function indicatorPage(doc) {
    var row = doc.result;
    var el = document.getElementById("trend");
    if (el) {
      var chart = echarts.init(el);
      var years = {};
      doc.trend.forEach(function (p) { years[p.year] = true; });
      doc.target_path.forEach(function (p) { years[p.year] = true; });
      var xs = Object.keys(years).map(Number).sort();
      var byYear = function (pts) {
        var m = {}; pts.forEach(function (p) { m[p.year] = p.value; });
        return xs.map(function (y) { return m[y] === undefined ? null : m[y]; });
      };
      var en = document.body.getAttribute("data-lang") === "en";
      var seriesNames = en ? ["value", "target path"] : ["现状", "目标路径"];
      chart.setOption({
        animation: false,
        tooltip: {trigger: "axis"},
        legend: {data: seriesNames, bottom: 0},
        grid: {left: 50, right: 20, top: 36, bottom: 40},
        xAxis: {type: "category", data: xs.map(String)},
        yAxis: {type: "value", name: row.unit || "", scale: true},
        series: [
          {name: seriesNames[0], type: "line", data: byYear(doc.trend), connectNulls: true,
           itemStyle: {color: row.colour}, lineStyle: {width: 3}, symbolSize: 8},
          {name: seriesNames[1], type: "line", data: byYear(doc.target_path),
           connectNulls: true, lineStyle: {type: "dashed", color: "#16324f"},
           itemStyle: {color: "#16324f"}}
        ]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    }
    var mapEl = document.getElementById("choropleth");
    if (!mapEl) { return; }
    var values = {};
    doc.townships.forEach(function (r) { values[r.area_code] = r; });
    var map = baseMap("choropleth");
    var br = breaks(doc.townships.map(function (r) { return r.value; }));
    getJSON("/api/v1/geo/townships").then(function (gj) {
      var layer = L.geoJSON(gj, {
        style: function (f) {
          var r = values[f.properties.code];
          var fill = r && r.value !== null ? BLUES[classOf(r.value, br)] : "#e0e0e0";
          return {className: "hsplan-township", color: "#455a64", weight: 1, fillColor: fill,
                  fillOpacity: 0.85};
        },
        onEachFeature: function (f, lyr) {
          var r = values[f.properties.code];
          lyr.bindTooltip(esc(f.properties.name) + ": " + (r ? fmt(r.value) + " " + esc(r.unit || "") +
            " · " + esc(r.status_zh) : "—"));
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds());
      var legend = L.control({position: "bottomright"});
      legend.onAdd = function () {
        var div = L.DomUtil.create("div", "map-legend");
        var lo = null, rows = [];
        br.concat([null]).forEach(function (b, i) {
          var label = lo === null ? "< " + fmt(b) : (b === null ? "≥ " + fmt(lo) : fmt(lo) + " – " + fmt(b));
          rows.push('<div><span class="sw" style="background:' + BLUES[Math.min(i, 4)] + '"></span>' + esc(label) + "</div>");
          lo = b;
        });
        div.innerHTML = "<b>" + esc(row.unit || "") + "</b>" + (br.length ? rows.join("") : "");
        return div;
      };
      legend.addTo(map);
    });
  }

  function legendRows(items) {
    return items.map(function (it) {
      var sw = it.circle ? '<span class="sw" style="border-radius:50%;background:' + it.colour + '"></span>'
        : '<span class="sw" style="background:' + it.colour + '"></span>';
      return '<div class="row">' + sw + esc(it.label) + "</div>";
    }).join("");
  }

  function mapPage(opts) {
    var t = opts.t;
    var map = baseMap("map");
    var state = {townships: null, evaluation: null, norms: null, coverage: null};
    var townLayer = null;
    var legendStatic = "";
    function colourTownships() {
      if (!state.townships || !state.evaluation || !state.norms) { return; }
      var choice = document.getElementById("map-colour").value;
      var values = {}, unit = "";
      if (choice === "violations") {
        Object.keys(state.norms.failed_by_township).forEach(function (code) {
          values[code] = state.norms.failed_by_township[code];
        });
        state.townships.features.forEach(function (f) {
          if (values[f.properties.code] === undefined) { values[f.properties.code] = 0; }
        });
        unit = t.violations;
      } else {
        state.evaluation.results.forEach(function (r) {
          if (r.indicator === choice && r.value !== null) { values[r.area_code] = r.value; unit = r.unit || ""; }
        });
      }
      var br = breaks(Object.keys(values).map(function (k) { return values[k]; }));
      var palette = choice === "violations" ? SEQ : BLUES;
      if (townLayer) { map.removeLayer(townLayer); }
      townLayer = L.geoJSON(state.townships, {
        style: function (f) {
          var v = values[f.properties.code];
          return {className: "hsplan-township", color: "#37474f", weight: 1.2,
                  fillColor: v === undefined ? "#e0e0e0" : palette[classOf(v, br)], fillOpacity: 0.6};
        },
        onEachFeature: function (f, lyr) {
          var v = values[f.properties.code];
          lyr.on("click", function () {
            var html = "<h3>" + esc(f.properties.name) + "</h3><p>" + esc(unit) + ": <b>" +
              (v === undefined ? "—" : fmt(v, choice === "violations" ? 0 : 2)) + "</b></p>";
            var vio = state.norms.by_township.filter(function (g) { return g.area_code === f.properties.code; });
            if (vio.length) {
              html += "<ul>" + vio[0].violations.slice(0, 12).map(function (x) {
                return "<li>" + esc(x.norm_id) + " " + esc(x.facility_name || x.area_name || "") + ": " + esc(x.shortfall_text) + "</li>";
              }).join("") + "</ul>";
            }
            document.getElementById("details").innerHTML = html;
          });
          lyr.bindTooltip(esc(f.properties.name));
        }
      }).addTo(map);
      townLayer.bringToBack();
      var classes = [];
      var lo = null;
      var d = choice === "violations" ? 0 : 2;
      br.concat([null]).forEach(function (b, i) {
        var label = (lo === null ? "< " + fmt(b, d) :
          (b === null ? "≥ " + fmt(lo, d) : fmt(lo, d) + " – " + fmt(b, d)));
        if (br.length === 0) { label = "—"; }
        classes.push({colour: palette[Math.min(i, 4)], label: label});
        lo = b;
      });
      document.getElementById("legend").innerHTML = "<b>" + esc(unit) + "</b>" + legendRows(classes) + legendStatic;
    }
    Promise.all([
      getJSON("/api/v1/geo/townships"), getJSON("/api/v1/geo/roads"), getJSON("/api/v1/geo/villages"),
      getJSON("/api/v1/geo/facilities"),
      getJSON("/api/v1/evaluate?level=township&plan=" + encodeURIComponent(opts.plan)),
      getJSON("/api/v1/check?plan=" + encodeURIComponent(opts.plan)),
      getJSON("/api/v1/access/coverage")
    ]).then(function (res) {
      state.townships = res[0]; state.evaluation = res[4]; state.norms = res[5]; state.coverage = res[6];
      var roads = L.geoJSON(res[1], {style: {className: "hsplan-road", color: "#9e9e9e", weight: 1}}).addTo(map);
      L.geoJSON(state.coverage.service_area, {style: {className: "hsplan-service-area",
        stroke: false, fillColor: "#2e9e44", fillOpacity: 0.22,
        interactive: false}}).addTo(map);
      var covered = {};
      state.coverage.points.forEach(function (p) { covered[p.area_code] = p; });
      var nUncovered = 0;
      L.geoJSON(res[2], {
        pointToLayer: function (f, ll) {
          var p = covered[f.properties.code];
          var out = p && !p.covered;
          if (out) { nUncovered++; }
          return L.circleMarker(ll, {radius: out ? 5 : 3, weight: out ? 2 : 1,
            className: "hsplan-village" + (out ? " uncovered" : ""),
            color: out ? "#d62728" : "#607d8b", fillColor: out ? "#ffcdd2" : "#cfd8dc", fillOpacity: 0.9});
        },
        onEachFeature: function (f, lyr) {
          var p = covered[f.properties.code];
          lyr.bindPopup("<b>" + esc(f.properties.name) + "</b>" + (p ? "<br>" + fmt(p.pop, 0) + " 人 · " +
            fmt(p.travel_min, 1) + " 分钟 → " + esc(p.facility_name || "—") : ""));
        }
      }).addTo(map);
      var facLayer = L.geoJSON(res[3], {
        pointToLayer: function (f, ll) {
          var c = FACILITY_COLOURS[f.properties.category] || "#616161";
          var big = f.properties.category === "医院" ? 8 : (f.properties.subtype === "村卫生室" ? 4 : 6);
          return L.circleMarker(ll, {radius: big, className: "hsplan-facility", color: "#fff", weight: 1.5,
            fillColor: c, fillOpacity: 0.95});
        },
        onEachFeature: function (f, lyr) {
          var p = f.properties;
          lyr.bindPopup("<b>" + esc(p.name) + "</b><br>" + esc(p.subtype) + " · " + esc(p.category) +
            (p.beds !== null && p.beds !== undefined ? "<br>床位 " + fmt(p.beds, 0) : ""));
        }
      }).addTo(map);
      legendStatic = "<b>" + esc(t.facilities) + "</b>" + legendRows(Object.keys(FACILITY_COLOURS).map(function (k) {
        return {colour: FACILITY_COLOURS[k], label: k, circle: true};
      })) + "<b>" + esc(t.villages) + "</b>" + legendRows([
        {colour: "#cfd8dc", label: t.villages, circle: true},
        {colour: "#d62728", label: t.uncovered + " (" + nUncovered + ")", circle: true},
        {colour: "rgba(46,158,68,.25)", label: t.service_area}]) +
        '<p class="muted small">' + esc(state.coverage.network || "") + "</p>";
      colourTownships();
      map.fitBounds(L.geoJSON(state.townships).getBounds());
      facLayer.bringToFront();
      document.getElementById("map").setAttribute("data-ready", "true");
      document.getElementById("map-note").textContent = t.coverage_note
        .replace("{what}", state.coverage.selection).replace("{minutes}", state.coverage.minutes);
    });
    document.getElementById("map-colour").addEventListener("change", colourTownships);
  }

  /* the 医共体 network: townships, lead → member lines, the lead and its members */
  function networkPage(opts) {
    var t = opts.t;
    var map = baseMap("network-map");
    Promise.all([
      getJSON("/api/v1/geo/townships"),
      getJSON("/api/v1/institutions?plan=" + encodeURIComponent(opts.plan))
    ]).then(function (res) {
      var towns = L.geoJSON(res[0], {style: {className: "hsplan-township", color: "#607d8b",
        weight: 1, fillColor: "#eceff1", fillOpacity: 0.7}}).addTo(map);
      L.geoJSON(res[1].catchment_area, {style: {className: "hsplan-catchment", stroke: false,
        fillColor: "#ef6c00", fillOpacity: 0.18, interactive: false}}).addTo(map);
      L.geoJSON(res[1].links, {style: {className: "hsplan-link", color: "#1565c0", weight: 1.2,
        opacity: 0.7}}).addTo(map);
      L.geoJSON(res[1].nodes, {
        pointToLayer: function (f, ll) {
          var lead = f.properties.role === "牵头";
          return L.circleMarker(ll, {radius: lead ? 8 : 3, weight: lead ? 2 : 1, color: "#fff",
            fillColor: lead ? "#c62828" : "#1565c0", fillOpacity: 1,
            className: lead ? "hsplan-lead" : "hsplan-member"});
        },
        onEachFeature: function (f, lyr) { lyr.bindTooltip(esc(f.properties.name)); }
      }).addTo(map);
      var subs = res[1].nodes.features.filter(function (f) { return f.properties.sub_centre; });
      L.geoJSON({type: "FeatureCollection", features: subs}, {
        pointToLayer: function (f, ll) {
          return L.circleMarker(ll, {radius: 11, weight: 2.5, color: "#e65100", fill: false,
            className: "hsplan-sub-centre"});
        },
        onEachFeature: function (f, lyr) { lyr.bindTooltip(esc(f.properties.name) + " · " + esc(t.sub_centre)); }
      }).addTo(map);
      map.fitBounds(towns.getBounds());
      document.getElementById("network-legend").innerHTML = legendRows([
        {colour: "#c62828", label: t.network_lead, circle: true},
        {colour: "#1565c0", label: t.network_member + " (" + res[1].links.features.length + ")", circle: true},
        {colour: "#e65100", label: t.sub_centre + " (" + subs.length + ")", circle: true},
        {colour: "rgba(239,108,0,.3)", label: t.catchment.replace("{minutes}", res[1].catchment_minutes).replace("（%）", "").replace(" (%)", "")}]);
      document.getElementById("network-map").setAttribute("data-ready", "true");
    });
  }

  return {indicatorPage: indicatorPage, mapPage: mapPage, networkPage: networkPage,
          getJSON: getJSON};
})();
