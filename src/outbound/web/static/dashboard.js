// Draws the overview's charts from the numbers the page carries (a data attribute, so no inline script is
// needed), on first load and whenever htmx swaps new content in.
(function () {
  "use strict";
  var palette = ["#0b5cad", "#17663a", "#a3231b", "#7a4d00", "#5a2f91", "#00796b", "#ad1457", "#37474f"];

  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.getAttribute("data-json"));
    var daily = document.querySelector("canvas[data-chart='daily']");
    if (daily && !daily.dataset.drawn) {
      new Chart(daily, {
        type: "line",
        data: {
          labels: data.days.map(function (d) { return d.slice(5); }),
          datasets: [
            { label: "orders created", data: data.created, borderColor: palette[0], backgroundColor: palette[0], tension: 0.2 },
            { label: "shipments shipped", data: data.shipped, borderColor: palette[1], backgroundColor: palette[1], tension: 0.2 }
          ]
        },
        options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
      daily.dataset.drawn = "1";
    }
    var centers = document.querySelector("canvas[data-chart='centers']");
    if (centers && !centers.dataset.drawn) {
      new Chart(centers, {
        type: "bar",
        data: {
          labels: data.centers,
          datasets: [{ label: "shipments", data: data.center_counts, backgroundColor: palette[4] }]
        },
        options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } },
                   scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
      centers.dataset.drawn = "1";
    }
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
