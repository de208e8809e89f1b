/* Fast order entry (orders:create / orders:edit).
 * Keyboard first: Enter moves to the next field, Ctrl+Enter saves.
 * Product and customer suggestions come from small JSON endpoints; without them (or without
 * JavaScript) the person types the code and the server resolves it. Amounts shown here are a
 * preview: the server computes the saved amounts. */
(function () {
  "use strict";
  var form = document.getElementById("order-entry");
  if (!form) { return; }
  var productUrl = form.dataset.productSearch || "";
  var customerUrl = form.dataset.customerSearch || "";
  var productList = document.getElementById("product-options");
  var customerList = document.getElementById("customer-options");
  var tbody = document.querySelector("#order-lines tbody");
  var template = document.getElementById("line-template");
  var totalForms = form.querySelector("input[name$='-TOTAL_FORMS']");
  var products = {};   // code (lower case) -> product from the search endpoint
  var customers = {};  // "code name" -> id

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  function fetchJson(url, q) {
    if (!url || !q) { return Promise.resolve([]); }
    var sep = url.indexOf("?") === -1 ? "?" : "&";
    return fetch(url + sep + "q=" + encodeURIComponent(q), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    }).then(function (r) { return r.ok ? r.json() : []; }).catch(function () { return []; });
  }

  function fill(list, options) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    options.forEach(function (o) {
      var opt = document.createElement("option");
      opt.value = o.value;
      opt.label = o.label;
      list.appendChild(opt);
    });
  }

  // --- money preview: integer fen with half-up rounding of quantity × price ---------------
  function toTenThousandths(text) {
    var m = /^\s*(\d*)(?:\.(\d{0,4}))?\s*$/.exec(text || "");
    if (!m || (m[1] === "" && !m[2])) { return null; }
    return parseInt(m[1] || "0", 10) * 10000 + parseInt(((m[2] || "") + "0000").slice(0, 4), 10);
  }
  function fenOf(quantity, price) {
    var q = parseInt(quantity, 10);
    var p = toTenThousandths(price);
    if (!(q > 0) || p === null) { return null; }
    return Math.floor((q * p + 50) / 100); // 1/10000 yuan → fen, half up
  }
  function yuan(fen) {
    var s = String(Math.floor(fen / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return "¥" + s + "." + String(fen % 100).padStart(2, "0");
  }
  function recompute() {
    var total = 0, any = false;
    tbody.querySelectorAll("tr[data-role='line']").forEach(function (row, i) {
      row.querySelector("[data-role='line-no']").textContent = String(i + 1);
      var qty = row.querySelector("[data-role='quantity']");
      var price = row.querySelector("[data-role='price']");
      var code = (row.querySelector("[data-role='product']").value || "").split(/\s+/)[0].toLowerCase();
      var priceText = price.value || (products[code] ? String(products[code].list_price) : "");
      var fen = fenOf(qty.value, priceText);
      row.querySelector("[data-role='amount']").textContent = fen === null ? "—" : yuan(fen);
      if (fen !== null) { total += fen; any = true; }
    });
    document.getElementById("order-total").textContent = any ? yuan(total) : "—";
  }

  // --- products ---------------------------------------------------------------------------
  function takeProduct(input) {
    var row = input.closest("tr");
    var code = (input.value || "").split(/\s+/)[0].toLowerCase();
    var p = products[code];
    var hidden = row.querySelector("[data-role='product-id']");
    var info = row.querySelector("[data-role='product-info']");
    if (p) {
      hidden.value = p.id;
      info.textContent = [p.name, p.spec, p.unit].filter(Boolean).join(" · ");
      var price = row.querySelector("[data-role='price']");
      if (!price.value && price.placeholder !== String(p.list_price)) { price.placeholder = String(p.list_price); }
    } else {
      hidden.value = "";
      info.textContent = "";
    }
    recompute();
  }
  var searchProducts = debounce(function (input) {
    fetchJson(productUrl, input.value.trim()).then(function (rows) {
      rows.forEach(function (p) { products[String(p.code).toLowerCase()] = p; });
      fill(productList, rows.map(function (p) {
        return { value: p.code, label: p.name + (p.spec ? " " + p.spec : "") };
      }));
      takeProduct(input);
    });
  }, 200);

  // --- customers --------------------------------------------------------------------------
  var customerInput = form.querySelector("input[name='customer_text']");
  var customerId = form.querySelector("input[name='customer_id']");
  var searchCustomers = debounce(function () {
    fetchJson(customerUrl, customerInput.value.trim()).then(function (rows) {
      rows.forEach(function (c) { customers[c.code + " " + c.name] = c.id; });
      fill(customerList, rows.map(function (c) { return { value: c.code + " " + c.name, label: c.name }; }));
    });
  }, 200);
  if (customerInput) {
    customerInput.addEventListener("input", function () {
      customerId.value = customers[customerInput.value] || "";
      if (!customerId.value) { searchCustomers(); }
    });
  }

  // --- lines ------------------------------------------------------------------------------
  function addLine() {
    var index = parseInt(totalForms.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    tbody.insertAdjacentHTML("beforeend", html);
    totalForms.value = String(index + 1);
    recompute();
    var row = tbody.lastElementChild;
    row.querySelector("[data-role='product']").focus();
  }
  document.getElementById("add-line").addEventListener("click", addLine);

  tbody.addEventListener("input", function (e) {
    var role = e.target.dataset.role;
    if (role === "product") {
      takeProduct(e.target);
      if (productUrl && e.target.value.trim().length >= 1) { searchProducts(e.target); }
    } else if (role === "quantity" || role === "price") {
      recompute();
    }
  });

  // Enter moves on (a new line is added after the last field of the last line); Ctrl+Enter saves.
  form.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || e.target.tagName === "TEXTAREA" || e.target.tagName === "BUTTON") { return; }
    e.preventDefault();
    if (e.ctrlKey || e.metaKey) { form.requestSubmit(); return; }
    var fields = Array.prototype.filter.call(
      form.querySelectorAll("input:not([type=hidden]), select, textarea, button[type=submit]"),
      function (el) { return !el.disabled && el.offsetParent !== null && !el.closest("template"); }
    );
    var i = fields.indexOf(e.target);
    var lastRow = tbody.lastElementChild;
    if (lastRow && lastRow.contains(e.target) && e.target.dataset.role === "price") {
      var qty = lastRow.querySelector("[data-role='quantity']");
      if (qty && qty.value) { addLine(); return; }
    }
    if (i >= 0 && i + 1 < fields.length) { fields[i + 1].focus(); }
  });

  recompute();
})();
