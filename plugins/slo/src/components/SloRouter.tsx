import { Route, Routes } from 'react-router-dom';
import { DemoSinkPage } from './DemoSinkPage';
import { ObjectivePage } from './ObjectivePage';
import { SloPage } from './SloPage';

/** The plugin's root page: the overview at `/`, one objective at `/objectives/:ref`, the demo sink at `/demo-sink`. */
export function SloRouter() {
  return (
    <Routes>
      <Route path="/" element={<SloPage />} />
      <Route path="/objectives/:ref" element={<ObjectivePage />} />
      <Route path="/demo-sink" element={<DemoSinkPage />} />
    </Routes>
  );
}
