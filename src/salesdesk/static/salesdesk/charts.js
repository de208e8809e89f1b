/* SalesDesk charts: draw an ECharts option the server wrote into the page.
 *
 *   <div data-chart="my-config" style="height:320px"></div>
 *   {{ option|json_script:"my-config" }}   (a <script type="application/json" id="my-config">)
 *
 * Every [data-chart] element is drawn when the page loads and when htmx swaps new content in;
 * charts follow the window's size. Labels come from the server, already in the reader's
 * language. SalesDeskCharts.draw(configId, elementOrId) draws one chart by hand.
 * An option may carry "links": one URL per category; clicking that bar opens it (drill-down).
 */
(function () {
  "use strict";

  var charts = [];

  function readOption(configId) {
    var source = document.getElementById(configId);
    if (!source) return null;
    try {
      return JSON.parse(source.textContent);
    } catch (err) {
      console.warn("SalesDesk chart: bad JSON in #" + configId, err);
      return null;
    }
  }

  function draw(configId, target) {
    var el = typeof target === "string" ? document.getElementById(target) : target;
    var option = readOption(configId);
    if (!el || !option || !window.echarts) return null;
    var links = option.links || [];
    delete option.links;
    var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el);
    chart.setOption(option, true);
    chart.off("click");
    if (links.length) {
      chart.on("click", function (params) {
        var url = links[params.dataIndex];
        if (url) window.location.href = url;
      });
      el.setAttribute("data-drill", "1");
    }
    if (charts.indexOf(chart) < 0) charts.push(chart);
    return chart;
  }

  function drawAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var found = Array.prototype.slice.call(scope.querySelectorAll("[data-chart]"));
    if (scope.matches && scope.matches("[data-chart]")) found.push(scope);
    found.forEach(function (el) {
      draw(el.getAttribute("data-chart"), el);
    });
  }

  function forget(root) {
    // Charts whose element htmx is about to replace: free them.
    charts = charts.filter(function (chart) {
      var dom = chart.getDom();
      if (chart.isDisposed()) return false;
      if (root && root.contains(dom)) {
        chart.dispose();
        return false;
      }
      return document.body.contains(dom);
    });
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      forget(null);
      charts.forEach(function (chart) {
        chart.resize();
      });
    }, 100);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      drawAll(document);
    });
  } else {
    drawAll(document);
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    forget(event.detail && event.detail.target);
  });
  document.addEventListener("htmx:afterSettle", function () {
    // An outerHTML swap leaves no stable element to start from: look again at the whole page
    // (charts already drawn are reused, not drawn twice).
    drawAll(document);
  });

  window.SalesDeskCharts = { draw: draw, drawAll: drawAll };
})();
