-- Parks failing a mandatory HJ 274 indicator, latest data year first.
-- Which mandatory indicators fail, with the value, the requirement and why.
select a.park_name, a.year, a.seq_no, a.indicator_name, a.value, a.value_text, a.requirement, a.note
from marts.eip_assessment a
where a.mandatory and a.passed = false
order by a.year desc, a.park_name, a.seq_no;
