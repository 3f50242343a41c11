/* Draws the monthly report's charts with the ECharts build the console serves itself (no CDN). */
(function () {
  "use strict";
  var source = document.getElementById("report-charts");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var font = '"Noto Sans CJK SC", "Noto Sans SC", sans-serif';
  var percent = { type: "value", min: 0, axisLabel: { formatter: "{value}%" } };
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    option.textStyle = { fontFamily: font };
    option.animation = false;  // the page is also printed and screenshotted: draw at once
    chart.setOption(option);
    el.setAttribute("data-drawn", "1");
    charts.push(chart);
  }

  // A chart with nothing to draw says so in words: an axis without bars, or a ring of zeros cut in equal
  // thirds, reads as data.
  function nothing(id, words) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.classList.add("chart-empty");
    el.textContent = words;
    el.setAttribute("data-drawn", "empty");
  }

  function bars(series) {
    return series.map(function (s) {
      return { name: s.name, type: "bar", data: s.data, label: { show: true, position: "top", formatter: "{c}%" } };
    });
  }

  draw("chart-types", {
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { top: 36, left: 48, right: 16, bottom: 28 },
    xAxis: { type: "category", data: data.types.names }, yAxis: percent, series: bars(data.types.series)
  });
  draw("chart-trend", {
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { top: 36, left: 48, right: 16, bottom: 28 },
    xAxis: { type: "category", data: data.trend.names }, yAxis: percent,
    series: bars([{ name: data.trend.labels[0], data: data.trend.current },
                  { name: data.trend.labels[1], data: data.trend.previous }])
  });
  if (!data.questions.data.length) {
    nothing("chart-questions", "本月没有回答记录，无法计算各问题的问题件率。");
  } else draw("chart-questions", {
    tooltip: { trigger: "axis" }, grid: { top: 10, left: 8, right: 48, bottom: 24, containLabel: true },
    xAxis: percent, yAxis: { type: "category", data: data.questions.names,
                             axisLabel: { width: 260, overflow: "truncate" } },
    series: [{ name: "问题件率", type: "bar", data: data.questions.data,
               label: { show: true, position: "right", formatter: "{c}%" } }]
  });
  var rated = data.satisfaction.reduce(function (sum, d) { return sum + d.value; }, 0);
  if (!rated) {
    nothing("chart-satisfaction", "本月没有满意度回答。");
  } else draw("chart-satisfaction", {
    tooltip: { trigger: "item" }, legend: { bottom: 0 },
    series: [{ name: "满意度", type: "pie", radius: ["35%", "65%"], data: data.satisfaction,
               label: { formatter: "{b}：{c}（{d}%）" } }]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
}());
