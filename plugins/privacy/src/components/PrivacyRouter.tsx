import { Route, Routes } from 'react-router-dom';
import { PrivacyPage } from './PrivacyPage';
import { RequestPage } from './RequestPage';

/** The plugin's root page: the queue at `/`, one request at `/requests/:id`. */
export function PrivacyRouter() {
  return (
    <Routes>
      <Route path="/" element={<PrivacyPage />} />
      <Route path="/requests/:id" element={<RequestPage />} />
    </Routes>
  );
}
