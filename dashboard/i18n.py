"""Every user-interface string of the dashboard, in Danish and English, in one dictionary.

Labels of survey codes (sectors, answers, values) live in the codebook and figure titles and
question wording in the figure specs; this module holds the words of the page around them.

Examples
--------
>>> t("reset", "en")
'Reset'
>>> t("notice_url_unknown", "da", key="Sektor", values="'foo'", allowed="state, region, municipality")
"Linket: Sektor 'foo' findes ikke og er ignoreret; mulige værdier: state, region, municipality."
"""

from __future__ import annotations

from .data.codebook import SYNTHETIC_LABEL
from .export.images import INSTALL_HINT

LANGS = ("da", "en")
DEFAULT_LANG = "da"

TEXTS: dict[str, dict[str, str]] = {
    # Header
    "title": {"da": "Innovationsbarometeret", "en": "Innovationsbarometeret"},
    "subtitle": {"da": "Innovation i den offentlige sektor", "en": "Innovation in the Danish public sector"},
    "intro": {
        "da": "Hvordan innoverer offentlige arbejdspladser, og hvilken rolle spiller teknologi? "
              "Figurerne fra 2018-2019-målingen med usikkerhedsintervaller, filtreret efter dit valg.",
        "en": "How do public workplaces innovate, and what part does technology play? The figures of "
              "the 2018-2019 survey with uncertainty intervals, filtered as you choose.",
    },
    "badge": {"da": "Syntetiske data", "en": "Synthetic data"},
    "badge_tooltip": {
        "da": SYNTHETIC_LABEL["da"] + ". Tallene viser mønstrene fra de offentliggjorte figurer, "
              "men ingen rækker stammer fra rigtige arbejdspladser. Se »Om data«.",
        "en": SYNTHETIC_LABEL["en"] + ". The numbers reproduce the published figures, but no row comes "
              "from a real workplace. See 'About the data'.",
    },
    "real_data": {"da": "Egne mikrodata", "en": "Own microdata"},
    "real_data_tooltip": {
        "da": "Dashboardet viser en datafil, som brugeren selv har indlæst.",
        "en": "The dashboard shows a data file loaded by the user.",
    },
    "lang_label": {"da": "Sprog", "en": "Language"},
    "nav_label": {"da": "Afsnit", "en": "Sections"},
    "skip_link": {"da": "Spring til figurerne", "en": "Skip to the figures"},
    # Filter bar
    "filters_heading": {"da": "Afgræns tallene", "en": "Narrow the figures"},
    "filter_toggle": {"da": "Vælg filtre", "en": "Choose filters"},
    "placeholder_sector": {"da": "Alle sektorer", "en": "All sectors"},
    "placeholder_industry": {"da": "Alle delsektorer", "en": "All sub-sectors"},
    "placeholder_size": {"da": "Alle størrelser", "en": "All sizes"},
    "placeholder_tech_role": {"da": "Alle innovationer", "en": "All innovations"},
    "placeholder_value": {"da": "Alle værdier", "en": "All values"},
    "group_tech_role": {"da": "Teknologiens rolle (figur 1)", "en": "Role of technology (figure 1)"},
    "group_tech_group": {"da": "Teknologigruppe (figur 3)", "en": "Technology group (figure 3)"},
    "help_sector": {"da": "Tomt felt: alle sektorer", "en": "Empty: all sectors"},
    "help_industry": {"da": "Delsektorerne i de valgte sektorer; tomt felt: alle",
                      "en": "The sub-sectors of the chosen sectors; empty: all"},
    "group_several_sector": {"da": "I flere sektorer", "en": "In several sectors"},
    "help_size": {"da": "Antal ansatte på arbejdspladsen; tomt felt: alle", "en": "Employees at the workplace; empty: all"},
    "help_tech_role": {
        "da": "Innovationer med det valgte svar",
        "en": "Innovations with the chosen answer",
    },
    "help_value": {
        "da": "Innovationer med mindst én af værdierne",
        "en": "Innovations with at least one of the values",
    },
    "help_round": {"da": "Den runde, figurerne viser", "en": "The round the figures show"},
    "round_only": {"da": "{round}: kun »{title}«", "en": "{round}: only '{title}'"},
    "round_some": {"da": "{round}: {count} af {total} figurer", "en": "{round}: {count} of {total} figures"},
    "round_none": {"da": "{round}: ingen figurer", "en": "{round}: no figures"},
    "reset": {"da": "Nulstil", "en": "Reset"},
    # Download all
    "export_label": {"da": "Alle figurer", "en": "All figures"},
    "export_size_label": {"da": ", størrelse", "en": ", size"},
    "export_button": {"da": "Hent alt", "en": "Download all"},
    "export_button_numbers": {"da": "Hent alle tal", "en": "Download all numbers"},
    "export_busy": {"da": "Arbejder …", "en": "Working …"},
    "export_starting": {"da": "Eksporten starter …", "en": "Starting the export …"},
    "export_queued": {"da": "Eksporten venter i kø …", "en": "The export is queued …"},
    "export_progress": {"da": "Tegner figur {done} af {total} …", "en": "Drawing figure {done} of {total} …"},
    "export_packing": {"da": "Pakker ZIP-filen …", "en": "Packing the ZIP file …"},
    "export_ready": {"da": "ZIP-filen er klar: {filters} · {language}.",
                     "en": "The ZIP file is ready: {filters} · {language}."},
    "export_failed": {"da": "Eksporten mislykkedes; intet blev hentet.",
                      "en": "The export failed; nothing was downloaded."},
    "export_data_changed": {"da": "Data på serveren er ændret; intet blev hentet. Genindlæs siden.",
                            "en": "The data on the server have changed; nothing was downloaded. Reload the page."},
    "export_lost": {"da": "Eksporten stoppede uventet to gange; intet blev hentet. Prøv igen.",
                    "en": "The export stopped unexpectedly twice; nothing was downloaded. Try again."},
    "export_queue_full": {
        "da": "Serveren laver allerede {limit} eksporter. Prøv igen om et øjeblik; intet blev hentet.",
        "en": "The server is already making {limit} exports. Try again in a moment; nothing was downloaded.",
    },
    "export_tooltip": {
        "da": "Alle 16 figurer for de valgte filtre i én ZIP-fil: PNG (3× opløsning) og SVG i den valgte "
              "størrelse, tallene som CSV og en XLSX-projektmappe. Tager 10-20 sekunder.",
        "en": "All 16 figures for the chosen filters in one ZIP file: PNG (3× resolution) and SVG in the "
              "chosen size, the numbers as CSV and one XLSX workbook. Takes 10-20 seconds.",
    },
    "export_unavailable": {
        "da": "Knappen henter kun tallene (CSV og XLSX); kameraknappen på hver figur virker stadig. "
              + INSTALL_HINT["da"],
        "en": "The button fetches the numbers only (CSV and XLSX); the camera button on each chart still "
              "works. " + INSTALL_HINT["en"],
    },
    "dd_select_all": {"da": "Vælg alle", "en": "Select all"},
    "dd_deselect_all": {"da": "Fravælg alle", "en": "Deselect all"},
    "dd_selected_count": {"da": "{num_selected} valgt", "en": "{num_selected} selected"},
    "dd_search": {"da": "Søg", "en": "Search"},
    "dd_clear_search": {"da": "Ryd søgning", "en": "Clear search"},
    "dd_clear_selection": {"da": "Ryd valg", "en": "Clear selection"},
    "dd_no_options": {"da": "Ingen valgmuligheder", "en": "No options found"},
    "dd_no_options_sector": {
        "da": "Ingen sektor passer. Delsektorer (fx dagtilbud, skoler, hospitaler) vælges under Delsektor.",
        "en": "No sector matches. Sub-sectors (day care, schools, hospitals ...) are chosen under Sub-sector.",
    },
    # Cards
    "question": {"da": "Spørgsmål", "en": "Question"},
    "base": {"da": "Grundlag", "en": "Base"},
    "download_as": {"da": "Hent tallene som", "en": "Download the numbers as"},
    "view_table": {"da": "Vis tal som tabel", "en": "Show numbers as a table"},
    "view_chart": {"da": "Vis figuren", "en": "Show the chart"},
    "figures_updated": {"da": "{count} figurer opdateret: {filters}.", "en": "{count} figures updated: {filters}."},
    "figures_some_updated": {"da": "{count} af {total} figurer opdateret: {filters}.",
                             "en": "{count} of {total} figures updated: {filters}."},
    "figures_unchanged": {"da": "Ingen figurer ændret: {filters}.", "en": "No figure changed: {filters}."},
    "round_applies": {"da": "Runde {round} har data for {count} af {total} figurer.",
                      "en": "Round {round} has data for {count} of {total} figures."},
    "no_filters": {"da": "ingen filtre", "en": "no filters"},
    "not_applied": {"da": "Filtre, der ikke gælder her", "en": "Filters not applied here"},
    "figure_failed": {
        "da": "Figuren kunne ikke tegnes. Prøv et andet filter.",
        "en": "The figure could not be drawn. Try another filter.",
    },
    "figure_stale": {  # a card whose redraw the server has not answered (assets/retry.js tries again)
        "da": "Figuren kunne ikke opdateres: serveren svarer ikke. Den viser stadig dit forrige valg. Prøver igen …",
        "en": "This figure could not be updated: the server does not answer. It still shows your previous "
              "choice. Trying again …",
    },
    "figures_stale": {  # the live region while the figures' redraw is tried again
        "da": "Figurerne kunne ikke opdateres: serveren svarer ikke. Prøver igen …",
        "en": "The figures could not be updated: the server does not answer. Trying again …",
    },
    # About the data
    "about_title": {"da": "Om data og metode", "en": "About the data and method"},
    "about_survey_h": {"da": "Undersøgelsen", "en": "The survey"},
    "about_survey": {
        "da": "Innovationsbarometeret 2018-2019 bygger på svar fra 2.271 offentlige arbejdspladser "
              "(50 % svarprocent). 1.877 af dem havde innoveret, og 733 af de seneste innovationer er "
              "teknologiske (teknologien er selve løsningen eller en vigtig del af den).",
        "en": "The 2018-2019 Innovation Barometer rests on answers from 2,271 public workplaces (50 % "
              "response). 1,877 of them had innovated, and 733 of the latest innovations are "
              "technological (the technology is the solution itself or an important part of it).",
    },
    "about_ci_h": {"da": "Usikkerhed", "en": "Uncertainty"},
    "about_ci": {
        "da": "Andelene er vægtede. De 95 %-intervaller er dashboardets egen designbaserede tilnærmelse: "
              "Taylor-linearisering med strata og Korn-Graubard-intervaller på det effektive antal svar. "
              "Danmarks Statistik beregner ingen stikprøveusikkerhed for denne statistik. Et stratum med ét "
              "svar lægges sammen med det mindste stratum i samme sektor og størrelse. Stjerner markerer "
              "forskelle, der er signifikante på 5 %-niveau (t-test for to grupper, justeret Wald F-test for "
              "tre), uden korrektion for mange test.",
        "en": "Shares are weighted. The 95 % intervals are the dashboard's own design-based "
              "approximation: Taylor linearisation with strata and Korn-Graubard intervals on the "
              "effective number of respondents. Danmarks Statistik computes no sampling error for "
              "this statistic. A stratum with one respondent is merged with the smallest stratum of the "
              "same sector and size. Stars mark differences significant at the 5 % level (t test for two "
              "groups, adjusted Wald F test for three), without a correction for multiple tests.",
    },
    "about_fpc_on": {
        "da": "Endelighedskorrektion: ja. Datafilen oplyser antallet af arbejdspladser i hvert stratum (N_h), så "
              "hver varians ganges med 1 − n_h/N_h: hvor en stor del af et stratum har svaret, er usikkerheden "
              "tilsvarende mindre.",
        "en": "Finite population correction: on. The data file gives the number of workplaces in each stratum "
              "(N_h), so every variance is multiplied by 1 − n_h/N_h: where a large part of a stratum answered, "
              "the uncertainty is smaller accordingly.",
    },
    "about_fpc_off": {
        "da": "Endelighedskorrektion: nej. Datafilen har ingen kolonne stratum_population (N_h), så intervallerne "
              "er for brede, hvor en stor del af et stratum har svaret.",
        "en": "Finite population correction: off. The data file has no stratum_population column (N_h), so "
              "intervals are too wide where a large part of a stratum answered.",
    },
    "about_suppression_h": {"da": "Hvad der vises, og hvad der skjules", "en": "What is shown and what is hidden"},
    "about_suppression": {
        "da": "En andel skjules, og figuren siger hvorfor, når (1) grundlaget eller selve tallet bygger på færre "
              "end 3 svar (Danmarks Statistiks diskretionsregel). Desuden følger dashboardet NCHS' standard for "
              "andele (2017): (2) effektivt n under 30, (3) et Korn-Graubard-interval på 30 procentpoint eller "
              "mere og (4) et interval bredere end 5 point og end 130 % af andelen skjules, fordi tallet er for "
              "usikkert til at stå alene; (5) færre end 8 frihedsgrader skjules ikke, men søjlen skraveres: NCHS "
              "beder her om en statistikers vurdering, som dashboardet ikke kan give.",
        "en": "A share is hidden, and the figure says why, when (1) its base or the value itself rests on fewer "
              "than 3 respondents (Danmarks Statistik's discretion rule). The dashboard also follows the NCHS "
              "standard for proportions (2017): (2) an effective n below 30, (3) a Korn-Graubard interval 30 "
              "percentage points wide or more and (4) an interval wider than 5 points and than 130 % of the share "
              "are hidden, as the value is too uncertain to stand alone; (5) fewer than 8 degrees of freedom is not "
              "hidden but the bar is hatched: NCHS asks for a statistician's review there, which the dashboard "
              "cannot give.",
    },
    "about_disclosure_h": {"da": "Ingen skjult værdi kan regnes ud", "en": "No hidden value can be worked out"},
    "about_disclosure": {
        "da": "Hvor søjlerne summerer til 100 % eller til en total, og hvor to figurer viser samme udvalg, skjules "
              "en værdi mere (den mindste, der lukker hullet), så den skjulte ikke kan regnes ud af de viste. "
              "Og når et bredere udvalg (én værdi mere i et filter) kun tilføjer 1 eller 2 svar, eller 1 eller 2, "
              "der svarer ja, skjules værdien i det smallere udvalg, så forskellen mellem de to ikke kan afsløre "
              "dem. Sammenligninger af tre eller flere udvalg på tværs af flere filtre er ikke udelukket; tallene "
              "offentliggøres afrundet (hele procent på skærmen, én decimal i downloads), hvilket begrænser dem.",
        "en": "Where bars add up to 100 % or to a total, and where two figures show the same selection, a second "
              "value is hidden (the smallest that closes the gap), so the hidden one cannot be worked out from "
              "those shown. And when a wider selection (one more code in a filter) adds only 1 or 2 respondents, "
              "or 1 or 2 answering yes, the value is hidden in the narrower selection, so the difference between "
              "the two cannot reveal them. Comparisons of three or more selections across several filters are not "
              "ruled out; values are published rounded (whole percent on screen, one decimal in downloads), which "
              "limits them.",
    },
    "about_precision_h": {"da": "Præcision og »ved ikke«", "en": "Precision and 'don't know'"},
    "about_precision": {
        "da": "Andele vises i hele procent som i publikationerne og hentes med én decimal; p-værdier under 0,001 "
              "skrives »< 0,001«. Som i publikationen tæller »ved ikke« om teknologiens rolle med blandt de "
              "ikke-teknologiske innovationer, og »ved ikke« om teknologien er ny blandt innovationerne med "
              "kendt teknologi.",
        "en": "Shares are shown in whole percent as in the publications and downloaded with one decimal; p-values "
              "below 0.001 read '< 0.001'. As in the publication, 'don't know' on the role of technology counts "
              "among non-technological innovations, and 'don't know' on whether the technology is new among "
              "innovations with known technology.",
    },
    "about_version": {"da": "Version {version}", "en": "Version {version}"},
    "about_synthetic_h": {"da": "Syntetiske data", "en": "Synthetic data"},
    "about_synthetic": {
        "da": "De medfølgende mikrodata er syntetiske: de er kalibreret til de offentliggjorte tal og "
              "er IKKE Danmarks Statistiks mikrodata. De rigtige mikrodata findes kun i Danmarks "
              "Statistiks forskerordning. Hvor kilderne ikke offentliggør et tal, siger figuren, at "
              "værdierne er illustrative.",
        "en": "The shipped microdata are synthetic: calibrated to the published figures, they are NOT "
              "Danmarks Statistik microdata. The real microdata exist only inside Danmarks Statistik's "
              "researcher scheme. Where the sources publish no number, the figure says its values are "
              "illustrative.",
    },
    "about_real_h": {"da": "Brug rigtige mikrodata", "en": "Using real microdata"},
    "about_real": {
        "da": "Har du adgang til mikrodata i samme skema (CSV eller Parquet), kan dashboardet vise dem. "
              "Filen kontrolleres mod kodebogen, før den bruges:",
        "en": "If you have access to microdata in the same schema (CSV or Parquet), the dashboard can "
              "show them. The file is checked against the codebook before it is used:",
    },
    "about_real_cmd": {"da": "barometer serve --data STI", "en": "barometer serve --data PATH"},
    "about_sources_h": {"da": "Kilder", "en": "Sources"},
    "about_sources": {
        "da": "Center for Offentlig Innovation: Innovationsbarometeret, teknologi i offentlig innovation "
              "(2018-2019). Danmarks Statistik: »Fire af fem offentlige arbejdspladser er innovative«.",
        "en": "Center for Offentlig Innovation: Innovation Barometer, technology in public innovation "
              "(2018-2019). Statistics Denmark: 'Four out of five public workplaces are innovative'.",
    },
    "footer": {
        "da": "Innovationsbarometeret · Uofficiel visning af offentliggjorte tal · ",
        "en": "Innovationsbarometeret · Unofficial view of published figures · ",
    },
    # Notices
    "notice_url_unknown": {
        "da": "Linket: {key} {values} findes ikke og er ignoreret; mulige værdier: {allowed}.",
        "en": "In the link, {key} {values} does not exist and is ignored; possible values: {allowed}.",
    },
    "notice_url_read_as": {
        "da": "Linket: {key} {value} er læst som {label} ({code}).",
        "en": "In the link, {key} {value} is read as {label} ({code}).",
    },
    "notice_url_too_many": {
        "da": "Linket: {key} har {count} værdier, højst {limit} er mulige; filtret er ignoreret.",
        "en": "In the link, {key} has {count} values, at most {limit} are possible; the filter is ignored.",
    },
    "notice_url_one": {
        "da": "Linket: vælg én værdi af {key} ({allowed}); filtret er ignoreret.",
        "en": "In the link, choose one value of {key} ({allowed}); the filter is ignored.",
    },
    "notice_url_outside": {
        "da": "Linket: {key} {values} findes ikke i {parent} {parents} og er ignoreret; dér findes: {allowed}.",
        "en": "In the link, {key} {values} is not found in {parent} {parents} and is ignored; found there: {allowed}.",
    },
    "notice_url_lang": {
        "da": "Linket: sproget {value} findes ikke; mulige: {allowed}.",
        "en": "In the link, the language {value} does not exist; possible: {allowed}.",
    },
    "notice_url_lang_read_as": {
        "da": "Linket: sproget {value} er læst som {lang}.",
        "en": "In the link, the language {value} is read as {lang}.",
    },
    "notice_url_unknown_key": {
        "da": "Linket: {keys} kendes ikke og er ignoreret; mulige nøgler: {allowed}.",
        "en": "In the link, {keys} is not known and is ignored; possible keys: {allowed}.",
    },
    "notice_unknown": {
        "da": "Ukendt filterværdi: {key} {values}; tilladt: {allowed}. Standardfilteret vises.",
        "en": "Unknown filter value: {key} {values}; allowed: {allowed}. The default filter is shown.",
    },
    "notice_wrong_type": {
        "da": "Filteret {key} skal være en liste af koder, ikke {type}. Standardfilteret vises.",
        "en": "The filter {key} must be a list of codes, not {type}. The default filter is shown.",
    },
    "notice_too_many": {
        "da": "Filteret {key} har {count} værdier; højst {limit} er tilladt. Standardfilteret vises.",
        "en": "The filter {key} has {count} values; at most {limit} are allowed. The default filter is shown.",
    },
    "notice_one": {
        "da": "Vælg én værdi af {key} ({allowed}). Standardfilteret vises.",
        "en": "Choose one value of {key} ({allowed}). The default filter is shown.",
    },
    "notice_other": {
        "da": "Filteret kunne ikke bruges ({message}). Standardfilteret vises.",
        "en": "The filter could not be used ({message}). The default filter is shown.",
    },
    "notice_lang": {
        "da": "Ukendt sprog {value}; tilladt: da, en.",
        "en": "Unknown language {value}; allowed: da, en.",
    },
    "notice_error": {
        "da": "Der opstod en uventet fejl; standardvisningen er vist. Fejlen er logget på serveren.",
        "en": "An unexpected error occurred; the default view is shown. The error has been logged on the server.",
    },
    "notice_figure_error": {
        "da": "Figuren {figure} kunne ikke tegnes. Fejlen er logget på serveren.",
        "en": "Figure {figure} could not be drawn. The error has been logged on the server.",
    },
    "notice_preset": {
        "da": "Ukendt eksportstørrelse {value}; tilladt: {allowed}. Intet blev hentet.",
        "en": "Unknown export size {value}; allowed: {allowed}. Nothing was downloaded.",
    },
    "notice_export_filter": {
        "da": "Eksporten blev ikke lavet, fordi filteret ikke kunne bruges. Intet blev hentet.",
        "en": "The export was not made because the filter could not be used. Nothing was downloaded.",
    },
    "notice_export_numbers": {
        "da": "ZIP-filen indeholder kun tallene (CSV og XLSX). " + INSTALL_HINT["da"],
        "en": "The ZIP file holds the numbers only (CSV and XLSX). " + INSTALL_HINT["en"],
    },
    "notice_export_data_changed": {
        "da": "Eksporten blev ikke lavet: serveren tegner nu ud fra en anden udgave af data end den, siden blev "
              "lavet ud fra (datafilen er skiftet). Genindlæs siden, så figurerne viser de nye data, og hent igen.",
        "en": "The export was not made: the server now draws from another version of the data than the one this "
              "page was made from (the data file was replaced). Reload the page, so the figures show the new data, "
              "and download again.",
    },
    "notice_export_lost": {
        "da": "Eksporten stoppede uventet (den proces, der tegnede figurerne, forsvandt) og blev startet igen, men "
              "stoppede igen. Intet blev hentet; prøv igen om lidt. Hændelsen er logget på serveren.",
        "en": "The export stopped unexpectedly (the process drawing the figures went away) and was started again, but "
              "stopped again. Nothing was downloaded; try again in a moment. It has been logged on the server.",
    },
    "notice_export_error": {
        "da": "Eksporten mislykkedes; intet blev hentet. Fejlen er logget på serveren.",
        "en": "The export failed; nothing was downloaded. The error has been logged on the server.",
    },
    "server_error": {
        "da": "Serverfejl: anmodningen kunne ikke behandles. Fejlen er logget.",
        "en": "Server error: the request could not be processed. The error has been logged.",
    },
}


LANGUAGE_NAMES = {"da": {"da": "dansk", "en": "engelsk"}, "en": {"da": "Danish", "en": "English"}}  # [page][named]


def lang_or_default(lang) -> str:
    """Return `lang` if it is a supported language code, else the default ('da')."""
    return lang if isinstance(lang, str) and lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, /, **fields) -> str:
    """Return the text `key` in `lang` (unknown languages fall back to Danish), formatted with `fields`."""
    text = TEXTS[key][lang_or_default(lang)]
    return text.format(**fields) if fields else text
