{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Rebuilt park by park (the parks this build changed).
-- The verdict of each indicator system for each park-year, by the system's rules as its seeds state
-- them (int_system_rules from <system>__verdict): every counted indicator passes (every_counted_
-- indicator_passes; core_decides counts the core only), at least n optional indicators selected
-- (min_optional_selected), every k-of-n group passes (<system>__groups), or the grade decides
-- (score_decides, <system>__grades). A counted indicator or group that cannot be judged leaves the
-- verdict not_assessable when the system says so (unjudged_means_undecided) and nothing fails.
with parts as (
    select * from {{ ref('int_system_verdict_parts') }}
),
rules as (
    select * from {{ ref('int_system_rules') }}
)
select
    p.system_code,
    p.park_name,
    p.year,
    case when r.index_normalisation is not null and not r.score_decides and p.counted_total = 0
              and p.groups_failed + p.groups_unjudged = 0 then 'not_assessable'
         when r.score_decides then case when p.grade_passes then 'pass' when p.grade_passes = false then 'fail'
                                        else 'not_assessable' end
         when (p.failed > 0 and (r.every_counted_indicator_passes or r.core_decides)) or p.groups_failed > 0
              or (r.min_optional_selected is not null and p.optional_selected < r.min_optional_selected) then 'fail'
         when (p.unjudged > 0 or p.groups_unjudged > 0) and r.unjudged_means_undecided then 'not_assessable'
         else 'pass' end as verdict,
    nullif(concat_ws('; ',
        case when r.index_normalisation is not null and not r.score_decides and p.counted_total = 0
             then 'ranked across parks, not judged: see marts.system_index' end,
        case when p.failed > 0 then 'failed: ' || p.failed_codes end,
        case when p.groups_failed > 0 or p.groups_unjudged > 0 then 'groups short of their minimum: ' || p.groups_short end,
        case when r.min_optional_selected is not null and p.optional_selected < r.min_optional_selected
             then p.optional_selected || ' optional indicators selected, at least ' || r.min_optional_selected || ' required' end,
        case when p.unjudged > 0 then 'cannot be judged: ' || p.unjudged_codes end,
        case when p.unjudged > 0 and not r.unjudged_means_undecided and p.failed = 0 then 'indicators that cannot be judged are passed over (the system does not count them)' end,
        case when p.guidance > 0 then p.guidance_passed || ' of ' || p.guidance || ' guidance indicators met (not counted)' end,
        case when p.scores then 'score ' || {{ fmt_number('p.score') }} || ' of ' || {{ fmt_number('p.score_max') }}
                                || coalesce(': ' || p.grade, '') end
    ), '') as note,
    p.failed as failed_indicators,
    p.unjudged as unjudged_indicators,
    p.optional_selected,
    round(p.score, 10) as score,
    p.grade,
    p.groups_failed,
    p.groups_unjudged
from parts p
left join rules r on r.system_code = p.system_code
