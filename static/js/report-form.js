// The report form, enhanced: follow-up questions appear as soon as their condition is met,
// and answers are saved as a draft while you type. Without this file the form still works:
// every question is shown with a note saying when it applies, and "Save" stores the draft.
(function () {
  "use strict";

  var DELAY = 1200;
  var RETRY = 10000;

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function valuesOf(form, name) {
    var values = [];
    var fields = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if ((f.type === "radio" || f.type === "checkbox") && !f.checked) { continue; }
      if (f.value !== "") { values.push(f.value); }
    }
    return values;
  }

  // Conditions ---------------------------------------------------------------------------
  function applyConditions(form) {
    var questions = form.querySelectorAll(".question[data-condition-question]");
    for (var i = 0; i < questions.length; i++) {
      var q = questions[i];
      var controllerId = q.getAttribute("data-condition-question");
      var controller = form.querySelector("#q-" + controllerId);
      if (!controller || !form.querySelector('[name="q-' + controllerId + '"]')) { continue; }
      var expected = q.getAttribute("data-condition-value");
      var met = !controller.hidden && valuesOf(form, "q-" + controllerId).indexOf(expected) !== -1;
      q.hidden = !met;
    }
  }

  // Autosave ------------------------------------------------------------------------------
  function Autosave(form) {
    this.form = form;
    this.url = form.getAttribute("data-autosave-url");
    this.status = form.querySelector("[data-save-status]");
    this.timer = null;
    this.busy = false;
    this.again = false;
    this.dirty = false;
    this.stopped = false;
  }

  Autosave.prototype.say = function (text, kind) {
    if (!this.status) { return; }
    this.status.textContent = text;
    this.status.className = "save-status" + (kind ? " save-status-" + kind : "");
  };

  Autosave.prototype.schedule = function () {
    if (this.stopped) { return; }
    this.dirty = true;
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.save(); }, DELAY);
  };

  // The answers without files, URL-encoded: cheaper for the server to read than multipart.
  Autosave.prototype.payload = function () {
    var data = new FormData(this.form);
    var body = new URLSearchParams();
    data.forEach(function (value, key) {
      if (key.indexOf("file-") === 0 || key === "action" || typeof value !== "string") { return; }
      body.append(key, value);
    });
    return body;
  };

  Autosave.prototype.save = function () {
    if (this.stopped) { return; }
    if (this.busy) { this.again = true; return; }
    var self = this;
    var token = this.form.querySelector('input[name="csrf_token"]');
    this.busy = true;
    this.dirty = false;
    this.say(this.form.getAttribute("data-msg-saving"), "busy");
    fetch(this.url, {
      method: "POST",
      body: this.payload(),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.value : "" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        self.handle(response.status, body);
      });
    }).catch(function () {
      self.dirty = true;
      self.say(self.form.getAttribute("data-msg-offline"), "error");
      clearTimeout(self.timer);
      self.timer = setTimeout(function () { self.save(); }, RETRY);
    }).then(function () {
      self.busy = false;
      if (self.again) { self.again = false; self.save(); }
    });
  };

  Autosave.prototype.clearErrors = function () {
    var marked = this.form.querySelectorAll(".question.js-error");
    for (var i = 0; i < marked.length; i++) {
      var q = marked[i];
      q.classList.remove("js-error", "field-error");
      var message = q.querySelector(".error-message.js-message");
      if (message) { message.parentNode.removeChild(message); }
      var inputs = q.querySelectorAll("[aria-invalid]");
      for (var j = 0; j < inputs.length; j++) { inputs[j].removeAttribute("aria-invalid"); }
    }
  };

  Autosave.prototype.markErrors = function (errors) {
    for (var id in errors) {
      if (!Object.prototype.hasOwnProperty.call(errors, id)) { continue; }
      var q = this.form.querySelector("#q-" + id);
      if (!q) { continue; }
      q.classList.add("js-error", "field-error");
      var message = document.createElement("p");
      message.className = "error-message js-message";
      message.id = "q-" + id + "-jserror";
      message.textContent = errors[id].join(" ");
      q.appendChild(message);
      var inputs = q.querySelectorAll("input, textarea");
      for (var j = 0; j < inputs.length; j++) {
        inputs[j].setAttribute("aria-invalid", "true");
        var described = (inputs[j].getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (described.indexOf(message.id) === -1) { described.push(message.id); }
        inputs[j].setAttribute("aria-describedby", described.join(" "));
      }
    }
  };

  Autosave.prototype.handle = function (status, body) {
    this.clearErrors();
    if (status === 200 && body.status === "saved") {
      var revision = this.form.querySelector('input[name="base_revision"]');
      if (revision) { revision.value = body.revision; }
      this.say(body.message, "ok");
      var text = document.querySelector("[data-progress-text]");
      var bar = document.querySelector("[data-progress-bar]");
      if (text && body.progress) { text.textContent = body.progress.text; }
      if (bar && body.progress) { bar.value = body.progress.answered; bar.max = body.progress.required; }
      return;
    }
    this.dirty = true;
    if (status === 409 && body.status === "conflict") {
      this.stopped = true;
      this.say(this.form.getAttribute("data-msg-conflict"), "error");
    } else if (status === 422 && body.errors) {
      this.markErrors(body.errors);
      this.say(this.form.getAttribute("data-msg-invalid"), "error");
    } else if (status === 401 || status === 400) {
      this.stopped = true;
      this.say(this.form.getAttribute("data-msg-session"), "error");
    } else {
      this.stopped = true;
      this.say((body && body.error && body.error.message) || body.message || this.form.getAttribute("data-msg-failed"), "error");
    }
  };

  ready(function () {
    var form = document.querySelector("form[data-report-form]");
    if (!form) { return; }
    form.classList.add("js-enhanced");
    applyConditions(form);
    var autosave = form.getAttribute("data-autosave-url") ? new Autosave(form) : null;
    var submitting = false;
    function changed(event) {
      if (event.target && event.target.type === "file") { return; }
      applyConditions(form);
      if (autosave) { autosave.schedule(); }
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function (event) {
      var wasStopped = autosave ? autosave.stopped : true;
      submitting = true;
      if (autosave) { clearTimeout(autosave.timer); autosave.stopped = true; }
      // site.js may still cancel the submission (a "Remove this file?" confirmation).
      setTimeout(function () {
        if (event.defaultPrevented) {
          submitting = false;
          if (autosave) { autosave.stopped = wasStopped; if (autosave.dirty) { autosave.schedule(); } }
        }
      }, 0);
    });
    window.addEventListener("beforeunload", function (event) {
      if (!submitting && autosave && autosave.dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  });
})();
