-- An indicator's yearly trend: year-on-year change, change against the base year, and annual
-- average growth since the base year and over 3 and 5 years (marts.indicator_trends). Change the two
-- values in `params`. Rates and shares show their changes in percentage points (yoy_pp).
with params as (select '示例高新区' as park, '地区生产总值' as indicator)
select t.year, t.unit, t.value, t.prev_value, t.yoy_pct, t.yoy_pp, t.base_year, t.base_value,
       t.vs_base_ratio, t.vs_base_diff, t.cagr_base_pct, t.cagr_3y_pct, t.cagr_5y_pct, t.is_preliminary, t.note
from marts.indicator_trends t, params p
where t.park_name = p.park and t.indicator_name = p.indicator
order by t.year;
