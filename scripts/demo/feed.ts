/** Five feed items, as an RSS Read node would output them. */
export const FEED = [
	{
		title: 'City opens its first solar-powered library',
		link: 'https://example.com/news/solar-library',
		content: 'The new branch runs entirely on rooftop panels and stores surplus power for evening hours.',
	},
	{
		title: 'Researchers map the deep-sea floor with autonomous drones',
		link: 'https://example.com/news/deep-sea-drones',
		content: 'A fleet of twelve drones charted 3,000 km² of ocean floor in six weeks.',
	},
	{
		title: 'Local bakery wins national sourdough award',
		link: 'https://example.com/news/sourdough-award',
		content: 'The 40-year-old starter behind the winning loaf has been passed down three generations.',
	},
	{
		title: 'Rail line between the two largest cities reopens',
		link: 'https://example.com/news/rail-reopens',
		content: 'After two years of repairs, trains run every 30 minutes and the trip takes 55 minutes.',
	},
	{
		title: 'Study finds four-day week keeps productivity steady',
		link: 'https://example.com/news/four-day-week',
		content: 'Sixty companies took part; output held steady while sick days fell by a third.',
	},
];
