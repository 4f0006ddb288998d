{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Yearly targets of a government work report, parsed from their phrases (docs/domain.md#targets; the words
-- are in seed target_phrases): 增长5%以上 (growth ≥), 增长5%左右 (growth ≈), 达54% (level ≥),
-- 超5亿美元 / 突破1600家 (level >), 与经济增长同步 (relative), 完成上级下达任务 (qualitative).
-- Rebuilt park by park: a provincial table covers every park of its province, and its phrases are
-- read again only for the parks a night changed.
with rows as (
    select park_name, year, label_key as indicator_name, label, unit, target_text,
           regexp_replace(coalesce(target_text, ''), '\s', '', 'g') as t,
           source_file, source_sheet, source_cell
    from {{ ref('int_observations_admitted') }}
    where template = 'targets' and {{ changed_parks_only() }}
),
words as (
    select
        {{ phrases('relative') }} as relative,
        {{ phrases('growth_verb') }} as growth_verb,
        (select '(' || string_agg(phrase, '|' order by length(phrase) desc) || ')' from {{ ref('target_phrases') }}
         where kind = 'growth_verb' and sign = -1) as reduction_verb,
        {{ phrases('level_verb') }} as level_verb,
        {{ phrases('suffix') }} as suffix
),
kinds as (
    select r.*,
        case when regexp_matches(t, w.relative) then 'relative'
             when regexp_matches(t, w.growth_verb || '[0-9]') then 'growth'
             when regexp_matches(t, w.level_verb || '[0-9]') then 'level'
             else 'qualitative' end as target_kind,
        regexp_matches(t, w.reduction_verb || '[0-9]') as is_reduction,
        try_cast(regexp_extract(t, '([0-9]+(\.[0-9]+)?)', 1) as double) as number,
        regexp_extract(t, '[0-9]+(\.[0-9]+)?(.*?)' || w.suffix || '?$', 2) as unit_in_text,
        -- the comparator a suffix (以上, 左右…) or a level verb (超, 不超过…) says
        (select p.comparator from {{ ref('target_phrases') }} p
         where p.kind = 'suffix' and ends_with(r.t, p.phrase) order by length(p.phrase) desc limit 1) as suffix_comparator,
        (select p.comparator from {{ ref('target_phrases') }} p
         where p.kind = 'level_verb' and regexp_matches(r.t, p.phrase || '[0-9]') order by length(p.phrase) desc limit 1)
            as verb_comparator
    from rows r, words w
)
select
    k.park_name,
    k.year,
    k.indicator_name,
    k.label,
    k.target_text,
    k.target_kind,
    case when target_kind = 'growth' then coalesce(suffix_comparator, '>=')
         when target_kind = 'level' then case when suffix_comparator in ('≈', '<=') then suffix_comparator
                                              else coalesce(verb_comparator, '>=') end
         when target_kind = 'relative' then '>='
    end as comparator,
    -- a reduction target (下降3%) is a growth of −3 %
    case when target_kind = 'growth' and is_reduction then -number
         when target_kind in ('growth', 'level') then number end as target_value,
    case when target_kind = 'relative' then r.indicator_name end as reference_indicator,
    case when target_kind = 'level' then coalesce(nullif(k.unit, ''), nullif(k.unit_in_text, ''))
         when target_kind = 'growth' then '%' end as target_unit,
    k.source_file,
    k.source_sheet,
    k.source_cell
from kinds k
left join {{ ref('target_references') }} r on k.target_kind = 'relative' and contains(k.t, r.phrase)
qualify row_number() over (partition by k.park_name, k.year, k.indicator_name order by length(r.phrase) desc nulls last) = 1
