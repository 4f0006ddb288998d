-- The formula of each computed indicator, one row per argument: 'a+b' sums components, a trailing '?'
-- counts a missing component as 0, 'a|b' lists members judged each on their own (the worst is the value).
with f as (
    select system_code, indicator_code, kind, numerator, denominator, reference, numerator_unit,
           coalesce(cast(multiplier as double), 1) as multiplier, source
    from ({{ system_seeds('formulas') }})
),
members as (
    select f.*, m.member, m.member_no
    from f, unnest(string_split(regexp_replace(coalesce(f.numerator, ''), '\s', '', 'g'), '|')) with ordinality m(member, member_no)
),
args as (
    select system_code, indicator_code, kind, reference, numerator_unit, multiplier, member_no,
           'num' as role, t.term
    from members, unnest(string_split(member, '+')) t(term)
    union all
    select m.system_code, m.indicator_code, m.kind, m.reference, m.numerator_unit, m.multiplier, m.member_no,
           'den' as role, t.term
    from members m, unnest(string_split(regexp_replace(coalesce(m.denominator, ''), '\s', '', 'g'), '+')) t(term)
    where coalesce(m.denominator, '') <> ''
)
select
    system_code, indicator_code, kind, reference, numerator_unit, multiplier, cast(member_no as integer) as member_no,
    role,
    rtrim(term, '?') as component_code,
    ends_with(term, '?') as optional
from args
where term <> ''
