# bash completion for ikond-ctl(1)
#
# Commands come from "ikond-ctl --commands", the options of a command from
# "ikond-ctl COMMAND --help" (where required ones say "(required)"), and
# committee and actor slugs from the running daemon ("ikond-ctl --json
# committee list"); without a daemon there are simply no slugs to offer.
# A word that does not start with "-" is offered the required options not
# given yet, beside the positionals.

# The slugs of "committee" or "actor", asked from the daemon.
_ikond_ctl_slugs()
{
	local what=$1
	shift
	"$@" --json "$what" list 2>/dev/null |
		sed -n 's/^    "slug": "\([^"]*\)".*/\1/p'
}

_ikond_ctl()
{
	local cur prev cword
	local -a words ctl=("${COMP_WORDS[0]}") typed=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	cword=$COMP_CWORD

	# Global options before the cursor; --socket and --instance also apply
	# to the queries.
	local i w
	for ((i = 1; i < cword; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--socket)
			if ((i + 1 < cword)); then
				ctl+=(--socket "${COMP_WORDS[i+1]}")
			fi
			((i++))
			;;
		--socket=*) ctl+=("$w") ;;
		--instance)
			if ((i + 1 < cword)); then
				ctl+=(--instance "${COMP_WORDS[i+1]}")
			fi
			((i++))
			;;
		--instance=*) ctl+=("$w") ;;
		--timeout) ((i++)) ;;
		--timeout=* | --json | --help | -h) ;;
		*) typed+=("$w") ;;
		esac
	done

	if [[ $prev == --socket ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
		return
	fi
	if [[ $prev == --instance ]]; then
		COMPREPLY=($(compgen -W "$(cd /etc/ikond 2>/dev/null && ls -- *.conf 2>/dev/null |
		    sed -n 's/\.conf$//p' | grep -vx ikond)" -- "$cur"))
		return
	fi
	if [[ $prev == --timeout ]]; then
		COMPREPLY=()
		return
	fi

	# The longest command that the typed words begin with.
	local cmd="" name line
	local -a commands
	mapfile -t commands < <("${COMP_WORDS[0]}" --commands 2>/dev/null)
	for name in "${commands[@]}"; do
		local -a parts=($name)
		((${#parts[@]} <= ${#typed[@]})) || continue
		[[ "${typed[*]:0:${#parts[@]}}" == "$name" ]] || continue
		((${#name} > ${#cmd})) && cmd=$name
	done

	# The next word of every longer command that begins with the typed words.
	local prefix="${typed[*]}" n=${#typed[@]}
	local -a next=()
	for name in "${commands[@]}"; do
		local -a parts=($name)
		((${#parts[@]} > n)) || continue
		[[ $n -eq 0 || "${parts[*]:0:n}" == "$prefix" ]] || continue
		[[ " ${next[*]} " == *" ${parts[n]} "* ]] || next+=("${parts[n]}")
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--socket --instance --timeout --json --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "${next[*]}" -- "$cur"))
		fi
		return
	fi

	# The command's options, which of them take a value, which are required.
	local -a opts=(--json --help) valued=() required=()
	while read -r line; do
		case $line in
		--*)
			local opt=${line%% *}
			opts+=("$opt")
			[[ $line == "$opt "[A-Z\"]* ]] && valued+=("$opt")
			[[ $line == *" (required)" ]] && required+=("$opt")
			;;
		"-o FILE"*)
			opts+=(-o)
			valued+=(-o)
			;;
		esac
	done < <("${ctl[@]}" $cmd --help 2>/dev/null | sed -n 's/^  \(--*[a-z]\)/\1/p')

	local takes_value=""
	for w in "${valued[@]}"; do
		[[ $prev == "$w" ]] && takes_value=$w
	done
	if [[ -n $takes_value ]]; then
		case $takes_value in
		--committee | --invite-committee) COMPREPLY=($(compgen -W "$(_ikond_ctl_slugs committee "${ctl[@]}")" -- "$cur")) ;;
		--actor | --owner | --invite | --reassign-to | --to) COMPREPLY=($(compgen -W "$(_ikond_ctl_slugs actor "${ctl[@]}")" -- "$cur")) ;;
		--salutation) COMPREPLY=($(compgen -W "frau herr neutral org" -- "$cur")) ;;
		--role)
			case $cmd in
			submission*) COMPREPLY=($(compgen -W "anhoerung vorberatung entscheidung kenntnisnahme" -- "$cur")) ;;
			esac
			;;
		--land) COMPREPLY=($(compgen -W "BW BY BE BB HB HH HE MV NI NW RP SL SN ST SH TH" -- "$cur")) ;;
		--state)
			case $cmd in
			session*) COMPREPLY=($(compgen -W "planned invited held cancelled" -- "$cur")) ;;
			submission*) COMPREPLY=($(compgen -W "draft submitted decided withdrawn" -- "$cur")) ;;
			process*) COMPREPLY=($(compgen -W "open in_progress done skipped" -- "$cur")) ;;
			esac
			;;
		--schedule) COMPREPLY=($(compgen -W "early late" -- "$cur")) ;;
		--route)
			# Committees, comma-separated: complete the last one.
			local head=""
			[[ $cur == *,* ]] && head=${cur%,*},
			COMPREPLY=($(compgen -P "$head" -W "default $(_ikond_ctl_slugs committee "${ctl[@]}")" -- "${cur##*,}"))
			compopt -o nospace 2>/dev/null
			;;
		--kind)
			case $cmd in
			committee*) COMPREPLY=($(compgen -W "rat kreistag fachausschuss verwaltungsausschuss kreisausschuss hauptausschuss magistrat gemeindevorstand integrationsbeirat integrationsrat auslaenderbeirat verwaltungsvorstand fachleitungsrunde arbeitsgruppe" -- "$cur")) ;;
			submission*) COMPREPLY=($(compgen -W "verwaltungsvorlage beschlussvorlage mitteilungsvorlage" -- "$cur")) ;;
			esac
			;;
		-o | --output | --svg) COMPREPLY=($(compgen -f -- "$cur")) ;;
		esac
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "${opts[*]}" -- "$cur"))
		return
	fi

	# Positional arguments, the words of longer commands, and the required
	# options not given yet.
	local -a missing=()
	for w in "${required[@]}"; do
		[[ " ${typed[*]} " == *" $w "* || " ${typed[*]} " == *" $w="* ]] || missing+=("$w")
	done
	COMPREPLY=($(compgen -W "${next[*]} ${missing[*]}" -- "$cur"))
	case $cmd in
	"committee show" | "committee edit" | "committee remove")
		COMPREPLY+=($(compgen -W "$(_ikond_ctl_slugs committee "${ctl[@]}")" -- "$cur")) ;;
	"actor show" | "actor edit" | "actor remove" | "actor join" | "actor leave")
		COMPREPLY+=($(compgen -W "$(_ikond_ctl_slugs actor "${ctl[@]}")" -- "$cur")) ;;
	"import sessions")
		COMPREPLY+=($(compgen -f -- "$cur")) ;;
	"import oparl")
		[[ -n $cur ]] || COMPREPLY+=("https://") ;;
	esac
} &&
	complete -F _ikond_ctl ikond-ctl
