// Progressive enhancement only: every page works without this file.
import { initAll } from "../govuk/govuk-frontend.min.js";
import { initMentions } from "./mentions.mjs";
import { initQuotes } from "./quote.mjs";
import { initOrganisationPickers } from "./organisations.mjs";

initAll();
initMentions();
initQuotes();
initOrganisationPickers();
