-- The verdict of each indicator system for each park-year, by the system's rule (seed
-- <system>__verdict): every counted indicator passes (mandatory, core, and the optional ones a park
-- selected); at least n optional indicators selected; a system whose core decides. A counted
-- indicator that cannot be judged leaves the verdict not_assessable unless another one fails.
with a as (
    select * from {{ ref('system_assessment') }}
),
rules as (
    select system_code,
           max(cast(coalesce(
               case when system_code = 'hj274_2015' then {{ var('eip_min_optional_selected') or 'null' }} end,
               try_cast(parameter as integer)) as integer)) filter (where rule = 'min_optional_selected') as min_optional
    from {{ ref('int_system_verdict_rules') }}
    group by all
),
counts as (
    select
        a.system_code, a.park_name, a.year,
        count(*) filter (where a.counted and a.status = 'fail') as failed,
        count(*) filter (where a.counted and a.status = 'not_assessable') as unjudged,
        count(*) filter (where a.role = 'optional' and a.counted) as optional_selected,
        string_agg(a.indicator_code, ', ' order by a.seq_no) filter (where a.counted and a.status = 'fail') as failed_codes,
        string_agg(a.indicator_code, ', ' order by a.seq_no) filter (where a.counted and a.status = 'not_assessable') as unjudged_codes,
        count(*) filter (where a.role = 'guidance') as guidance,
        count(*) filter (where a.role = 'guidance' and a.status = 'pass') as guidance_passed
    from a
    group by all
)
select
    c.system_code,
    c.park_name,
    c.year,
    case when c.failed > 0 or (r.min_optional is not null and c.optional_selected < r.min_optional) then 'fail'
         when c.unjudged > 0 then 'not_assessable'
         else 'pass' end as verdict,
    nullif(concat_ws('; ',
        case when c.failed > 0 then 'failed: ' || c.failed_codes end,
        case when r.min_optional is not null and c.optional_selected < r.min_optional
             then c.optional_selected || ' optional indicators selected, at least ' || r.min_optional || ' required' end,
        case when c.unjudged > 0 then 'cannot be judged: ' || c.unjudged_codes end,
        case when c.guidance > 0 then c.guidance_passed || ' of ' || c.guidance || ' guidance indicators met (not counted)' end
    ), '') as note,
    c.failed as failed_indicators,
    c.unjudged as unjudged_indicators,
    c.optional_selected
from counts c
left join rules r on r.system_code = c.system_code
