// Co-leads by name on the bucket form: typing a name lists the group's members (the members
// API, which gives addresses only to those who may see them); arrow keys and Enter, or a
// click, add the person as a ticked box. An ARIA 1.2 combobox. Without this file the field
// takes names or addresses separated by commas.
(function () {
  "use strict";

  function setup(picker) {
    var input = picker.querySelector(".colead-combo input");
    var list = picker.querySelector(".colead-options");
    var chosen = picker.querySelector(".colead-chosen");
    var status = picker.querySelector("#colead-status");
    var url = picker.dataset.membersUrl;
    var options = [], active = -1, timer = null, asked = 0;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function say(text) { status.textContent = text; }

    function chosenIds() {
      return Array.prototype.map.call(chosen.querySelectorAll("input[name=colead_ids]:checked"),
        function (box) { return box.value; });
    }

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      options = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      options.forEach(function (option, i) { option.node.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].node.id);
        options[index].node.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var person = options[index];
      if (!person) { return; }
      var existing = chosen.querySelector("input[name=colead_ids][value='" + person.id + "']");
      if (existing) {
        existing.checked = true;
      } else {
        var item = document.createElement("li");
        var label = document.createElement("label");
        var box = document.createElement("input");
        box.type = "checkbox"; box.name = "colead_ids"; box.value = person.id; box.checked = true;
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + person.label));
        item.appendChild(label);
        chosen.appendChild(item);
      }
      input.value = "";
      close();
      say(status.dataset.added.replace("{name}", person.label));
      input.focus();
    }

    function show(results) {
      list.innerHTML = "";
      var taken = chosenIds();
      options = results.filter(function (m) { return taken.indexOf(String(m.id)) === -1; }).slice(0, 8).map(function (m, i) {
        var node = document.createElement("li");
        node.id = "colead-option-" + m.id;
        node.setAttribute("role", "option");
        node.setAttribute("aria-selected", "false");
        var label = m.name || m.email || ("#" + m.id);
        node.textContent = label;
        if (m.email && m.name) {
          var small = document.createElement("span");
          small.className = "muted";
          small.textContent = " · " + m.email;
          node.appendChild(small);
        }
        node.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(node);
        return { id: String(m.id), label: label, node: node };
      });
      if (!options.length) {
        close();
        say(status.dataset.none);
        return;
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(-1);
      say(status.dataset.count.replace("{n}", String(options.length)));
    }

    function search() {
      var words = input.value.trim();
      if (words.length < 2 || words.indexOf(",") !== -1) { close(); return; }
      var ticket = ++asked;
      fetch(url + "?q=" + encodeURIComponent(words), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (body) { if (ticket === asked) { show(body.results || []); } })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && options.length) {
        event.preventDefault();
        highlight((active + 1) % options.length);
      } else if (event.key === "ArrowUp" && options.length) {
        event.preventDefault();
        highlight(active <= 0 ? options.length - 1 : active - 1);
      } else if (event.key === "Enter" && !list.hidden) {
        event.preventDefault();  // choose, do not send the form
        choose(active >= 0 ? active : 0);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".colead-picker[data-members-url]").forEach(setup);
  });
})();
