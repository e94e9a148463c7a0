#!/bin/sh
# Loads the example data set into a running ikond: the invented Landkreis
# Musterland with its Integrationsausschuss, Kreisausschuss, Kreistag and
# Integrationsbeirat, sessions over the next twelve months (summer break in
# July and August), and the actors of an Integrationskonzept.
#
#   IKOND_CTL   ikond-ctl to use (default: ikond-ctl from PATH)
#   IKOND_SOCKET  control socket (default: ikond-ctl's default)
set -eu
ctl=${IKOND_CTL:-ikond-ctl}

# Sessions start on the Monday after next, so the data is always ahead.
monday=$(date -d "next monday + 7 days" +%F)

day() {	# day OFFSET_DAYS -> YYYY-MM-DD
	date -d "$monday + $1 days" +%F
}

in_summer_break() {	# July and August are session-free
	case $(date -d "$1" +%m) in 07|08) return 0 ;; *) return 1 ;; esac
}

$ctl committee add integrationsausschuss --name "Ausschuss für Integration und Teilhabe" --kind fachausschuss >/dev/null
$ctl committee add kreisausschuss --name "Kreisausschuss" --kind kreisausschuss --internal >/dev/null
$ctl committee add kreistag --name "Kreistag" --kind kreistag >/dev/null
$ctl committee add integrationsbeirat --name "Integrationsbeirat des Landkreises" --kind integrationsbeirat >/dev/null
$ctl committee add fachleitungsrunde --name "Fachleitungsrunde Bildung und Soziales" --kind fachleitungsrunde --internal >/dev/null
$ctl committee add kernteam --name "Kernteam Integrationskonzept" --kind arbeitsgruppe --internal >/dev/null

# Integrationsausschuss: every four weeks on Tuesday, 17:00.
for n in 0 1 2 3 4 5 6 7 8 9 10 11 12; do
	d=$(day $((1 + 28 * n)))
	in_summer_break "$d" && continue
	$ctl session add --committee integrationsausschuss --start "$d 17:00" --end "$d 19:30" \
	    --location "Kreishaus, Sitzungssaal 1, Am Markt 1, Musterstadt" >/dev/null
done
# Kreisausschuss (non-public): every four weeks on Monday, two weeks after the Fachausschuss.
for n in 0 1 2 3 4 5 6 7 8 9 10 11 12; do
	d=$(day $((14 + 28 * n)))
	in_summer_break "$d" && continue
	$ctl session add --committee kreisausschuss --start "$d 14:00" --end "$d 16:00" \
	    --location "Kreishaus, Raum 204" >/dev/null
done
# Kreistag: quarterly on Thursday, 18:00, ten days after a Kreisausschuss.
for n in 1 4 7 10; do
	d=$(day $((24 + 28 * n)))
	in_summer_break "$d" && continue
	$ctl session add --committee kreistag --start "$d 18:00" --end "$d 21:00" \
	    --location "Kreishaus, Großer Sitzungssaal" >/dev/null
done
# Integrationsbeirat: every six weeks on Wednesday, 16:00.
for n in 0 1 2 3 4 5 6 7 8; do
	d=$(day $((2 + 42 * n)))
	in_summer_break "$d" && continue
	$ctl session add --committee integrationsbeirat --start "$d 16:00" --end "$d 18:00" \
	    --location "Haus der Kulturen, Lindenstraße 12" >/dev/null
done

$ctl actor add bildungsbuero --name "Bildungsbüro Musterland" --email bildungsbuero@musterland.example \
    --org "Amt für Bildung" --role Kernteam --role Koordination >/dev/null
$ctl actor add schulte --name "Petra Schulte" --email p.schulte@musterland.example \
    --org "Fachdienst Migration und Teilhabe" --role Fachleitung >/dev/null
$ctl actor add yilmaz --name "Dr. Mehmet Yılmaz" --email m.yilmaz@musterland.example \
    --org "Dezernat II Bildung, Soziales" --role Dezernent >/dev/null
$ctl actor add beirat-vorsitz --name "Amira Haddad" --email vorsitz@integrationsbeirat-musterland.example \
    --org "Integrationsbeirat" --role Vorsitz >/dev/null
$ctl actor add awo --name "AWO Kreisverband Musterland" --email migration@awo-musterland.example \
    --org "Wohlfahrtsverband" --role Träger >/dev/null
$ctl actor add vhs --name "Volkshochschule Musterland" --email integration@vhs-musterland.example \
    --org "VHS" --role "Träger Integrationskurse" >/dev/null
$ctl actor add sitzungsdienst --name "Sitzungsdienst" --email sitzungsdienst@musterland.example \
    --org "Büro Kreistag" --role Sitzungsdienst >/dev/null
$ctl actor add ag-sprache --name "Jonas Weber" --email j.weber@musterland.example \
    --org "AG Sprache und Bildung" --role "Leitung Arbeitsgruppe" >/dev/null

$ctl actor join schulte --committee fachleitungsrunde --role Mitglied >/dev/null
$ctl actor join yilmaz --committee fachleitungsrunde --role Vorsitz >/dev/null
$ctl actor join yilmaz --committee kreisausschuss --role beratend >/dev/null
$ctl actor join bildungsbuero --committee kernteam --role Leitung >/dev/null
$ctl actor join schulte --committee kernteam >/dev/null
$ctl actor join ag-sprache --committee kernteam >/dev/null
$ctl actor join beirat-vorsitz --committee integrationsbeirat --role Vorsitz >/dev/null
$ctl actor join awo --committee integrationsbeirat --role "beratendes Mitglied" >/dev/null
$ctl actor join vhs --committee integrationsbeirat --role "beratendes Mitglied" >/dev/null
$ctl actor join bildungsbuero --committee integrationsausschuss --role "Verwaltung, beratend" >/dev/null
$ctl actor join sitzungsdienst --committee integrationsausschuss --role Schriftführung >/dev/null
$ctl actor join sitzungsdienst --committee kreistag --role Schriftführung >/dev/null

first_ia=$($ctl --json session list --committee integrationsausschuss | sed -n 's/^ *"id": \([0-9]*\),*$/\1/p' | sed -n 2p)
$ctl submission add --title "Erarbeitung eines Integrationskonzepts mit Bildungsschwerpunkt" \
    --kind verwaltungsvorlage --session "$first_ia" --owner bildungsbuero --ref "V/IA/001" >/dev/null
echo "Beispieldaten für den Landkreis Musterland geladen."
